// The PyTorch peer of the benchmarks, in its fair configuration: Debian's python3-torch calls
// whatever libblas.so.3 is active, and on a fresh machine that is the reference BLAS, which makes
// its dense layers about ten times slower. This module finds a Python with torch, makes sure the
// active BLAS is OpenBLAS (installing Debian's libopenblas0-pthread when it is missing and this
// process may: root with apt-get; BENCH_NO_INSTALL=1 forbids it), and runs the peer scripts with
// OPENBLAS_NUM_THREADS=1, so that OpenBLAS does not fight PyTorch's own threads.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * @typedef {object} Peer
 * @property {string} python the interpreter that imports torch
 * @property {string} torch torch's version
 * @property {string} blas the BLAS library torch runs on (a file name)
 * @property {boolean} openblas whether that is OpenBLAS
 * @property {NodeJS.ProcessEnv} env the environment the peer scripts run in
 */

const PROBE = `
import json, torch
a = torch.randn(64, 64); (a @ a).sum()
libs = sorted({l.split()[-1] for l in open('/proc/self/maps') if 'blas' in l.lower() and '/' in l})
print(json.dumps({"torch": torch.__version__, "blas": libs}))
`;

/** @param {string} python @param {NodeJS.ProcessEnv} env */
function probe(python, env) {
  const r = spawnSync(python, ['-c', PROBE], { encoding: 'utf8', env });
  if (r.status !== 0) return null;
  const line = r.stdout.trim().split('\n').pop() ?? '{}';
  return /** @type {{ torch: string, blas: string[] }} */ (JSON.parse(line));
}

function installOpenBlas() {
  if (process.env.BENCH_NO_INSTALL === '1' || process.getuid?.() !== 0) return false;
  if (!existsSync('/usr/bin/apt-get')) return false;
  console.log("installing Debian's libopenblas0-pthread for a fair PyTorch peer ...");
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const install = () =>
    spawnSync('apt-get', ['install', '-y', '-qq', 'libopenblas0-pthread'], {
      env,
      stdio: 'ignore',
    });
  if (install().status === 0) return true;
  spawnSync('apt-get', ['update', '-qq'], { env, stdio: 'ignore' });
  return install().status === 0;
}

/** @returns {Peer | null} the peer, or null when no Python here imports torch */
export function torchPeer() {
  const env = { ...process.env, OPENBLAS_NUM_THREADS: '1' };
  const python = ['/usr/bin/python3', 'python3'].find((p) => probe(p, env) !== null);
  if (!python) return null;
  let found = probe(python, env);
  const isOpen = () => (found?.blas ?? []).some((l) => /openblas/i.test(l));
  if (!isOpen() && installOpenBlas()) found = probe(python, env);
  if (!found) return null;
  const blas = found.blas.find((l) => /openblas/i.test(l)) ?? found.blas[0] ?? 'none found';
  return {
    python,
    torch: found.torch,
    // the library's folder says which build it is (openblas-pthread/libblas.so.3)
    blas: blas.split('/').slice(-2).join('/'),
    openblas: isOpen(),
    env,
  };
}

/** @param {Peer} peer */
export function describePeer(peer) {
  const blas = peer.openblas
    ? `OpenBLAS (${peer.blas}, OPENBLAS_NUM_THREADS=1)`
    : `${peer.blas}: NOT OpenBLAS, so its dense layers run about ten times slower; ` +
      'apt-get install libopenblas0-pthread for a fair peer';
  return `PyTorch ${peer.torch} (${peer.python}) on ${blas}`;
}

/**
 * Runs a peer script (bench/NAME) with arguments; returns its last line of output as JSON.
 * @param {Peer} peer @param {string} script @param {string[]} args
 * @param {NodeJS.ProcessEnv} [extraEnv]
 * @returns {unknown}
 */
export function runPeer(peer, script, args, extraEnv = {}) {
  const file = fileURLToPath(new URL(`./${script}`, import.meta.url));
  const r = spawnSync(peer.python, [file, ...args], {
    encoding: 'utf8',
    env: { ...peer.env, ...extraEnv },
    maxBuffer: 1 << 26,
  });
  if (r.status !== 0) throw new Error(`${script} failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop() ?? 'null');
}
