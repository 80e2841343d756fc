// Run folders that cannot be clobbered or wedged, through the real CLI: output folders checked
// before any work, runs never replaced, results files validated, --resume that refuses to change a
// study, one writer per folder, and the smaller refusals and warnings.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { lenet5, Network } from '../../src/nn/network.js';
import { saveModel } from '../../src/nn/model-io.js';

const CLI = join(__dirname, '..', '..', 'bin', 'prunelab.js');
const tmp = mkdtempSync(join(tmpdir(), 'prunelab-folders-'));
const cli = (...args: string[]) =>
  spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 60_000 });
const small = ['--train-size', '200', '--val-size', '50', '--test-size', '50', '--epochs', '1'];
const tinyStudy = [...small, '--max-pruned', '2', '--criterion', 'random', '--no-control'];

afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('output folders', () => {
  it('refuses a folder that cannot be created, at once, with one line', () => {
    for (const command of ['train', 'study']) {
      const t0 = Date.now();
      const r = cli(command, ...small, '--out', '/proc/prunelab-test/run');
      expect(r.status).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(/--out \/proc\/prunelab-test\/run cannot be created or written to/);
      expect(Date.now() - t0).toBeLessThan(20_000);
    }
  });

  it('refuses a file as the output folder before training', () => {
    const file = join(tmp, 'a-file');
    writeFileSync(file, 'x');
    const r = cli('train', ...small, '--out', file);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/a-file is a file, not a folder/);
  });

  it('never replaces a training run, and a failed run leaves no folder', () => {
    const out = join(tmp, 'trained');
    expect(cli('train', ...small, '--out', out, '--quiet').status).toBe(0);
    const before = readFileSync(join(out, 'model.safetensors'));
    const again = cli('train', ...small, '--out', out);
    expect(again.status).toBe(2);
    expect(again.stderr).toMatch(/already holds a run \(results\.json\); choose another --out/);
    expect(readFileSync(join(out, 'model.safetensors'))).toEqual(before);
    const failed = join(tmp, 'never');
    expect(cli('train', '--dataset', 'cifar', '--out', failed).status).toBe(2);
    expect(existsSync(failed)).toBe(false);
  });
});

describe('results files', () => {
  const dir = join(tmp, 'study');
  it('are validated by report, naming the field', () => {
    expect(cli('study', ...tinyStudy, '--out', dir, '--quiet').status).toBe(0);
    const text = readFileSync(join(dir, 'results.json'), 'utf8');
    const results = JSON.parse(text) as Record<string, unknown> & {
      runs: { steps: { testAccuracy: unknown }[] }[];
    };
    const withoutBaseline: Record<string, unknown> = { ...results };
    delete withoutBaseline.baseline;
    writeFileSync(join(dir, 'results.json'), JSON.stringify(withoutBaseline));
    const a = cli('report', dir);
    expect(a.status).toBe(2);
    expect(a.stderr).toMatch(/not a complete results file \(baseline: /);
    results.runs[0].steps[1].testAccuracy = 'high';
    writeFileSync(join(dir, 'results.json'), JSON.stringify(results));
    const b = cli('report', dir);
    expect(b.status).toBe(2);
    expect(b.stderr).toMatch(/runs\[0\]\.steps\[1\]\.testAccuracy: .*expected number/);
    writeFileSync(join(dir, 'results.json'), text);
    expect(cli('report', dir).status).toBe(0);
  });

  it('--resume refuses options that would change the study, naming them', () => {
    const r = cli('study', '--resume', dir, '--epochs', '3', '--criterion', 'taylor');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--epochs 3 \(the study has 1\)/);
    expect(r.stderr).toMatch(/--criterion taylor \(the study has random\)/);
    // options equal to the saved ones are fine
    expect(cli('study', '--resume', dir, '--epochs', '1', '--quiet').status).toBe(0);
  });
});

describe('one writer per run folder', () => {
  it('refuses a second study in a folder being written, and takes over a stale lock', async () => {
    const dir = join(tmp, 'busy');
    const child = spawn(process.execPath, [CLI, 'study', ...small, '--out', dir, '--quiet']);
    const exited = new Promise((resolve) => child.on('exit', resolve));
    for (let i = 0; i < 600 && !existsSync(join(dir, 'config.json')); i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const second = cli('study', '--resume', dir);
    expect(second.status).toBe(2);
    expect(second.stderr).toMatch(
      new RegExp(`being written by another prunelab \\(process ${child.pid}\\)`),
    );
    child.kill('SIGKILL');
    await exited;
    // the killed study's lock names a dead process: a resume takes it over and finishes
    expect(readFileSync(join(dir, '.lock'), 'utf8')).toBe(String(child.pid));
    const resumed = cli('study', '--resume', dir, '--quiet');
    expect(resumed.status, resumed.stderr).toBe(0);
    expect(existsSync(join(dir, '.lock'))).toBe(false);
  }, 120_000);
});

describe('smaller refusals and warnings', () => {
  it('says where the available number of training images comes from', () => {
    const r = cli('train', '--train-size', '100000', '--out', join(tmp, 'too-many'));
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/only 68002 \(70002 images less 1000 test and 1000 validation\)/);
  });

  it('warns when --threads is more than the cores', () => {
    const r = cli('train', ...small, '--threads', '64', '--out', join(tmp, 'threads'), '--quiet');
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/--threads 64 is more than the \d+ cores here/);
  });

  it('refuses a model whose pruned layer has one unit: nothing to prune', () => {
    const file = join(tmp, 'one-unit.safetensors');
    const net = new Network(lenet5({ fc2: 1 }), 16, 'reference');
    net.initialize(1);
    saveModel(file, net);
    const r = cli('study', '--model', file, ...small, '--out', join(tmp, 'one'));
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/layer fc2 of .*one-unit\.safetensors has 1 unit; nothing to prune/);
  });

  it('records --lr auto as asked, with the rate the sweep chose', () => {
    const out = join(tmp, 'auto');
    const args = [...tinyStudy, '--lr', 'auto', '--lrs', '0.05,0.01', '--out', out, '--quiet'];
    const r = cli('study', ...args);
    expect(r.status, r.stderr).toBe(0);
    const config = JSON.parse(readFileSync(join(out, 'config.json'), 'utf8')) as {
      lrAuto: boolean;
      lr: number;
    };
    expect(config.lrAuto).toBe(true);
    expect([0.05, 0.01]).toContain(config.lr);
  });

  it('reads config keys written as the flags are, and names the nearest option to a typo', () => {
    mkdirSync(join(tmp, 'configs'));
    const kebab = join(tmp, 'configs', 'kebab.json');
    writeFileSync(kebab, JSON.stringify({ 'train-size': 200, 'val-size': 50, 'test-size': 50 }));
    const ok = cli('train', '--config', kebab, '--epochs', '1', '--out', join(tmp, 'k'), '--quiet');
    expect(ok.status, ok.stderr).toBe(0);
    const typo = join(tmp, 'configs', 'typo.json');
    writeFileSync(typo, JSON.stringify({ 'retrain-epoch': 2 }));
    const r = cli('study', '--config', typo);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/unknown option "retrain-epoch"; did you mean "retrain-epochs"/);
  });

  it('names an unknown criterion with the nearest, and a tolerance given in points', () => {
    const criterion = cli('study', '--criterion', 'paper,magnitde');
    expect(criterion.status).toBe(2);
    expect(criterion.stderr.trim()).toBe(
      'prunelab: invalid configuration: --criterion: unknown value "magnitde" (did you mean ' +
        'magnitude?); choose one of paper, distinctiveness, magnitude, random, taylor, merge, ' +
        'reconstruct',
    );
    const tolerance = cli('study', '--tolerance', '2');
    expect(tolerance.status).toBe(2);
    expect(tolerance.stderr).toMatch(
      /--tolerance: a fraction of accuracy, at most 1 \(0\.02 for 2/,
    );
  });

  it("exits with 2 on commander's usage errors too, and 0 for --help and --version", () => {
    for (const args of [['study', '--foo'], ['study', '--lr', 'abc'], ['export'], ['bogus']]) {
      const r = cli(...args);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(/^error: /);
    }
    expect(cli('study', '--help').status).toBe(0);
    expect(cli('--version').status).toBe(0);
  });
});
