// Pruning against the PyTorch golden fixture (cosine matrix, chosen neurons, logits after surgery),
// and the exact invariants of the surgery.
import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/engine/rng.js';
import { lenet5, Network } from '../../src/nn/network.js';
import { cosineSimilarityMatrix, layerActivations } from '../../src/prune/activations.js';
import { criteria } from '../../src/prune/criteria/index.js';
import { pruneOnce, pruneStep } from '../../src/prune/step.js';
import { removeUnits } from '../../src/prune/surgery.js';
import type { Split } from '../../src/data/types.js';
import { pruneGolden } from '../fixtures/golden.js';

const g = pruneGolden();
const NAMES: Record<string, string> = {
  'features.0': 'conv1',
  'features.3': 'conv2',
  'features.7': 'fc1',
  fc: 'fc2',
  out: 'fc3',
};

function goldenNet(backend: 'reference64' | 'wasm' = 'reference64'): Network {
  const net = new Network(lenet5(), 64, backend);
  for (const [k, v] of Object.entries(g.state)) {
    const [layer, kind] = [k.slice(0, k.lastIndexOf('.')), k.slice(k.lastIndexOf('.') + 1)];
    net.param(`${NAMES[layer]}.${kind}`).set(v.data);
  }
  return net;
}
const patterns: Split = { x: Float32Array.from(g.patterns.data), y: new Uint8Array(64), n: 64 };
const patterns64 = {
  ...patterns,
  x: Float64Array.from(g.patterns.data) as unknown as Float32Array,
};

function logitsOf(net: Network, n = 4): number[] {
  net.input.set(patterns64.x.subarray(0, n * 1024));
  net.forward(n);
  return Array.from(net.logits.subarray(0, n * net.classes));
}
function maxAbs(a: number[], b: number[]): number {
  return Math.max(...a.map((v, i) => Math.abs(v - b[i])));
}

describe('golden prune step (prune-step-golden.json)', () => {
  it('logits before pruning match', () => {
    expect(maxAbs(logitsOf(goldenNet()), g.logitsBefore)).toBeLessThan(1e-9);
  });
  it('cosine-similarity matrix of the 84-unit layer matches', () => {
    const net = goldenNet();
    const { acts } = layerActivations(net, 'fc2', patterns64);
    const cos = cosineSimilarityMatrix(acts, 64, 84);
    expect(maxAbs(Array.from(cos), g.cosine)).toBeLessThan(1e-9);
  });
  it('the blocked cosine matrix is the plain loop, to the bit (odd sizes, zero activations)', () => {
    const rng = new Rng(7);
    for (const [rows, units] of [
      [5, 7],
      [50, 13],
      [64, 84],
      [3, 1],
    ]) {
      const acts = Float64Array.from({ length: rows * units }, () =>
        rng.float() < 0.3 ? 0 : rng.uniform(-1, 1),
      );
      const cos = cosineSimilarityMatrix(acts, rows, units);
      const norm = (u: number) => {
        let sum = 0;
        for (let r = 0; r < rows; r++) sum += acts[r * units + u] ** 2;
        return Math.sqrt(sum);
      };
      let differences = 0;
      for (let i = 0; i < units; i++) {
        for (let j = 0; j < units; j++) {
          let dot = 0;
          for (let r = 0; r < rows; r++) {
            const a = acts[r * units + Math.min(i, j)];
            if (a !== 0) dot += a * acts[r * units + Math.max(i, j)];
          }
          const d = norm(i) * norm(j);
          if (!Object.is(cos[i * units + j], d > 0 ? dot / d : 0)) differences++;
        }
      }
      expect([rows, units, differences]).toEqual([rows, units, 0]);
    }
  });
  for (const name of ['paper', 'distinctiveness'] as const) {
    it(`${name}: chosen neurons, merge partner and logits after the surgery`, () => {
      const { net, removal } = pruneOnce(
        goldenNet(),
        'fc2',
        criteria[name],
        patterns64,
        new Rng(1),
      );
      expect(removal.removed).toEqual(g[name].removed);
      expect(removal.mergedInto).toBe(g[name].mergedInto);
      expect(net.views.get('fc2.weight')!.shape).toEqual([g[name].hidden, 120]);
      expect(maxAbs(logitsOf(net), g[name].logitsAfter)).toBeLessThan(1e-9);
    });
  }
  it('the wasm engine agrees in float32', () => {
    const { net } = pruneOnce(goldenNet('wasm'), 'fc2', criteria.paper, patterns, new Rng(1));
    net.input.set(patterns.x.subarray(0, 4096));
    net.forward(4);
    expect(maxAbs(Array.from(net.logits.subarray(0, 40)), g.paper.logitsAfter)).toBeLessThan(1e-4);
  });
});

describe('surgery invariants', () => {
  function randomNet(seed: number): Network {
    const n = new Network(lenet5(), 8, 'reference64');
    n.initialize(seed);
    return n;
  }
  const x = new Float64Array(8 * 1024).map((_, i) => Math.sin(i * 0.37) * 2);
  const logits = (net: Network) => {
    net.input.set(x);
    net.forward(8);
    return Array.from(net.logits.subarray(0, 80));
  };

  it('removing a neuron whose outgoing weights are zero leaves the logits unchanged', () => {
    const net = randomNet(1);
    const V = net.param('fc3.weight');
    for (let o = 0; o < 10; o++) V[o * 84 + 17] = 0;
    const before = logits(net);
    const after = logits(removeUnits(net, 'fc2', [17]));
    expect(maxAbs(after, before)).toBeLessThan(1e-12);
    // and a neuron with non-zero outgoing weights does change them (the check can fail)
    expect(maxAbs(logits(removeUnits(net, 'fc2', [18])), before)).toBeGreaterThan(1e-6);
  });

  it('merging two identical neurons by the outgoing-weight rule leaves the logits unchanged', () => {
    const net = randomNet(2);
    const W = net.param('fc2.weight'),
      b = net.param('fc2.bias');
    for (let k = 0; k < 120; k++) W[30 * 120 + k] = W[5 * 120 + k];
    b[30] = b[5];
    const before = logits(net);
    const { acts } = layerActivations(net, 'fc2', {
      x: x as unknown as Float32Array,
      y: new Uint8Array(8),
      n: 8,
    });
    const cos = cosineSimilarityMatrix(acts, 8, 84);
    expect(cos[5 * 84 + 30]).toBeCloseTo(1, 12);
    const { net: pruned, removal } = pruneOnce(
      net,
      'fc2',
      criteria.distinctiveness,
      { x: x as unknown as Float32Array, y: new Uint8Array(8), n: 8 },
      new Rng(1),
    );
    expect(removal.removed).toEqual([5]);
    expect(removal.mergedInto).toBe(30);
    expect(maxAbs(logits(pruned), before)).toBeLessThan(1e-10);
  });

  it('a layer of n units pruned k times has n-k units, and fc1 can be pruned too', () => {
    let net = randomNet(3);
    const pats = { x: x as unknown as Float32Array, y: new Uint8Array(8).map((_, i) => i), n: 8 };
    for (const name of ['magnitude', 'random', 'taylor'] as const) {
      const r = pruneStep(net, 'fc2', criteria[name], pats, { count: 3, seed: 1, step: 1 });
      expect(r.net.views.get('fc2.weight')!.shape).toEqual([81, 120]);
      expect(r.net.views.get('fc3.weight')!.shape).toEqual([10, 81]);
    }
    for (let k = 1; k <= 5; k++) {
      net = pruneStep(net, 'fc1', criteria.magnitude, pats, { count: 1, seed: 1, step: k }).net;
      expect(net.views.get('fc1.weight')!.shape).toEqual([120 - k, 400]);
      expect(net.views.get('fc2.weight')!.shape).toEqual([84, 120 - k]);
    }
    expect(() => removeUnits(net, 'fc3', [0])).toThrow(/output layer/);
    expect(() => removeUnits(net, 'nope', [0])).toThrow(/fc1, fc2, fc3/);
  });

  it('magnitude removes the smallest incoming norm; random is seeded', () => {
    const net = randomNet(4);
    const W = net.param('fc2.weight');
    for (let k = 0; k < 120; k++) W[42 * 120 + k] *= 0.01;
    const pats = { x: x as unknown as Float32Array, y: new Uint8Array(8), n: 8 };
    expect(pruneOnce(net, 'fc2', criteria.magnitude, pats, new Rng(1)).removal.removed).toEqual([
      42,
    ]);
    const a = pruneOnce(net, 'fc2', criteria.random, pats, new Rng(9)).removal.removed;
    expect(pruneOnce(net, 'fc2', criteria.random, pats, new Rng(9)).removal.removed).toEqual(a);
  });
});

describe('merge: least-squares compensation', () => {
  const x = new Float64Array(16 * 1024).map(
    (_, i) => Math.sin(i * 0.131) * 1.5 + Math.cos(i * 0.017),
  );
  const pats = {
    x: x as unknown as Float32Array,
    y: new Uint8Array(16).map((_, i) => i % 10),
    n: 16,
  };
  function net(seed: number): Network {
    const n = new Network(lenet5(), 16, 'reference64');
    n.initialize(seed);
    return n;
  }
  const logits = (n: Network) => {
    n.input.set(x);
    n.forward(16);
    return Array.from(n.logits.subarray(0, 160));
  };

  it('removes a neuron that is an affine copy of another with unchanged logits (similar and complementary)', () => {
    for (const sign of [1, -1]) {
      const n = net(7);
      // a_i = tanh(z) and a_j = tanh(-z) for sign -1 (a_i = -a_j), equal for sign +1
      const W = n.param('fc2.weight'),
        b = n.param('fc2.bias');
      for (let k = 0; k < 120; k++) W[60 * 120 + k] = sign * W[12 * 120 + k];
      b[60] = sign * b[12];
      const before = logits(n);
      const { net: pruned, removal } = pruneOnce(n, 'fc2', criteria.merge, pats, new Rng(1));
      expect(removal.removed).toEqual([12]);
      expect(removal.mergedInto).toBe(60);
      expect(removal.score).toBeCloseTo(sign > 0 ? 0 : 180, 6);
      expect(maxAbs(logits(pruned), before)).toBeLessThan(1e-10);
      // the plain rule does change them for the complementary pair
      if (sign < 0)
        expect(
          maxAbs(
            logits(pruneOnce(n, 'fc2', criteria.distinctiveness, pats, new Rng(1)).net),
            before,
          ),
        ).toBeGreaterThan(1e-4);
    }
  });

  // Immediate damage measured as the patterns' squared deviation from the unpruned network's
  // logits, the quantity the least-squares fit minimises. (Cross-entropy is not guaranteed: on
  // random nets a removal can lower it by chance, and the compensated one then need not.)
  it('never does more immediate damage than removing the same neuron uncompensated (random networks)', () => {
    for (let seed = 1; seed <= 12; seed++) {
      const n = net(seed);
      const { removal, net: merged } = pruneOnce(n, 'fc2', criteria.merge, pats, new Rng(1));
      const plain = removeUnits(n, 'fc2', removal.removed);
      const base = logits(n);
      const err = (m: Network) => logits(m).reduce((s, v, i) => s + (v - base[i]) ** 2, 0);
      expect(err(merged)).toBeLessThanOrEqual(err(plain) + 1e-12);
      expect(err(merged)).toBeLessThan(err(plain));
    }
  });

  it('--compensate gives any criterion the least-squares merge', () => {
    const n = net(3);
    const plain = pruneOnce(n, 'fc2', criteria.magnitude, pats, new Rng(1));
    const comp = pruneOnce(n, 'fc2', criteria.magnitude, pats, new Rng(1), { compensate: true });
    expect(comp.removal.removed).toEqual(plain.removal.removed);
    expect(comp.removal.mergedInto).not.toBeNull();
    const base = logits(n);
    const err = (m: Network) => logits(m).reduce((s, v, i) => s + (v - base[i]) ** 2, 0);
    expect(err(comp.net)).toBeLessThan(err(plain.net));
  });
});

describe('surgery in place', () => {
  it("lays the pruned network out in the old one's memory with the numbers of a new one", () => {
    const a = new Network(lenet5(), 64, 'wasm');
    a.initialize(12);
    const b = new Network(lenet5(), 64, 'wasm');
    b.setState(a.getState());
    const merges = [{ from: 9, into: 2, kind: 'incoming' as const }];
    const fresh = removeUnits(a, 'fc2', [9], merges);
    const reused = removeUnits(b, 'fc2', [9], merges, true);
    expect(reused.kernels).toBe(b.kernels);
    expect(fresh.kernels).not.toBe(a.kernels);
    const x = new Float32Array(64 * 1024).map((_, i) => Math.sin(i / 7));
    const y = new Uint8Array(64).map((_, i) => i % 10);
    for (const net of [fresh, reused]) {
      net.zeroGrad();
      net.input.set(x);
      net.forward(64);
      net.loss(y, 0, 64, true);
      net.backward(64);
      net.sgdStep(0.1);
    }
    expect(Array.from(reused.params)).toEqual(Array.from(fresh.params));
    expect(Array.from(reused.logits)).toEqual(Array.from(fresh.logits));
  });
});
