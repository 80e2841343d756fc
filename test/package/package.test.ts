// The package a user installs: `npm pack` ships exactly what runs (the built JavaScript, both
// WebAssembly builds, the command, README and licence), and an installed tarball trains at full
// speed, on the SIMD kernels; without them it says so, once and loudly. (Also the example
// configuration and the JSON Schema of results.json, which the README links, and the web view's
// pages, which it serves with the chart library of its dependencies.)
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = join(__dirname, '..', '..');
const tmp = mkdtempSync(join(tmpdir(), 'prunelab-package-'));
const app = join(tmp, 'app');
let files: string[] = [];

function run(cmd: string, args: string[], cwd: string) {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', env: { ...process.env, CI: 'true' } });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

const train = (out: string) =>
  spawnSync(
    join(app, 'node_modules', '.bin', 'prunelab'),
    [
      'train',
      '--train-size',
      '200',
      '--val-size',
      '50',
      '--test-size',
      '50',
      '--epochs',
      '1',
    ].concat(['--out', out, '--quiet']),
    { cwd: app, encoding: 'utf8' },
  );

beforeAll(() => {
  // the suite has built dist/ and build/ (pretest); pack them as they are
  const packed = JSON.parse(
    run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', tmp], ROOT),
  ) as { filename: string; files: { path: string }[] }[];
  files = packed[0].files.map((f) => f.path);
  run('mkdir', ['-p', app], tmp);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true }));
  const args = ['install', join(tmp, packed[0].filename), '--prefer-offline', '--no-audit'];
  run('npm', [...args, '--no-fund'], app);
}, 240_000);

afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('the packed and installed package', () => {
  it('ships the built code, both kernel builds, the command, README and licence, and nothing else', () => {
    expect(files).toEqual(
      expect.arrayContaining([
        'bin/prunelab.js',
        'build/kernels.wasm',
        'build/kernels-fma.wasm',
        'dist/cli/main.js',
        'dist/study/worker.js',
        'dist/train/parallel-worker.js',
        'dist/web/study-page.js',
        'dist/web/task-worker.js',
        'README.md',
        'LICENSE',
        'package.json',
        'docs/example-config.json',
        'docs/results.schema.json',
        'web/index.html',
        'web/run.js',
        'web/charts.js',
      ]),
    );
    const strays = files.filter(
      (f) =>
        !/^(dist\/|build\/kernels|bin\/|web\/|README|LICENSE|package|docs\/(example-config|results\.schema)\.json)/.test(
          f,
        ),
    );
    expect(strays).toEqual([]);
    // the browser's stand-ins for Node go in the bundle, not in the package as modules
    expect(files.filter((f) => f.startsWith('dist/browser/'))).toEqual([]);
  });

  it('trains on the WebAssembly SIMD kernels', () => {
    const out = join(tmp, 'run');
    const r = train(out);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).not.toMatch(/WARNING/);
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as {
      environment: { kernels: string };
    };
    expect(results.environment.kernels).toMatch(/^wasm-simd/);
  });

  it('serves the web view, pages and chart library, from the installed package', async () => {
    const runs = join(tmp, 'served');
    mkdirSync(runs);
    const bin = join(app, 'node_modules', '.bin', 'prunelab');
    const server = spawn(bin, ['serve', runs, '--port', '0'], { cwd: app });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let text = '';
        server.stdout.on('data', (d: Buffer) => {
          text += d.toString();
          const found = /at (http:\/\/127\.0\.0\.1:\d+\/)/.exec(text);
          if (found) resolve(found[1]);
        });
        server.once('exit', () => reject(new Error(`serve ended: ${text}`)));
      });
      const paths = ['', 'web/run.js', 'web/charts.js', 'vendor/vega-embed.min.js', 'browser'];
      paths.push('app/study-page.js', 'app/task-worker.js', 'kernels/kernels-fma.wasm');
      for (const path of paths) {
        expect([path, (await fetch(url + path)).status]).toEqual([path, 200]);
      }
    } finally {
      server.kill('SIGINT');
    }
  });

  it('says once, loudly, when it must run the reference kernels', () => {
    const build = join(app, 'node_modules', 'prunelab', 'build');
    rmSync(join(build, 'kernels.wasm'));
    rmSync(join(build, 'kernels-fma.wasm'));
    const out = join(tmp, 'slow');
    const r = train(out);
    expect(r.status, r.stderr).toBe(0);
    expect(
      r.stderr.match(/WARNING: the WebAssembly SIMD kernels could not be loaded/g),
    ).toHaveLength(1);
    expect(r.stderr).toMatch(/about 40 times slower/);
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as {
      environment: { kernels: string };
    };
    expect(results.environment.kernels).toBe('reference');
  });
});
