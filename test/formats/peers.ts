// The runtimes that verify exported models (onnxruntime-node, TensorFlow.js), installed on demand
// from the npm registry into node_modules/.cache: they are not dependencies of prunelab
// (onnxruntime-node alone is 290 MB and TensorFlow.js 270 MB, which `npm ci && npx prunelab study`
// should not pay for). Both are installed by one `npm install`, under a lock, so that test files
// running side by side do not undo each other's installs. onnxruntime-node's install step, which
// would download a GPU provider, is skipped (its CPU library ships in the package). Where the
// registry cannot be reached the tests that need them are skipped, saying so.
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const PEERS = join(ROOT, 'node_modules', '.cache', 'prunelab-test-peers');
const VERSIONS = { 'onnxruntime-node': '1.30.0', '@tensorflow/tfjs': '4.22.0' };

const installed = (name: string) => existsSync(join(PEERS, 'node_modules', name, 'package.json'));

function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Installs every peer (once), holding a lock file while npm runs; returns npm's complaint. */
function installAll(): string | null {
  mkdirSync(PEERS, { recursive: true });
  const lock = join(PEERS, '.lock');
  for (let waited = 0; ; waited += 200) {
    try {
      closeSync(openSync(lock, 'wx'));
      break;
    } catch {
      if (waited > 300_000) rmSync(lock, { force: true });
      sleep(200);
    }
  }
  try {
    if (Object.keys(VERSIONS).every(installed)) return null;
    const manifest = { name: 'peers', private: true, dependencies: VERSIONS };
    writeFileSync(join(PEERS, 'package.json'), JSON.stringify(manifest));
    const r = spawnSync('npm', ['install', '--no-audit', '--no-fund', '--no-package-lock'], {
      cwd: PEERS,
      encoding: 'utf8',
      env: { ...process.env, ONNXRUNTIME_NODE_INSTALL: 'skip' },
    });
    return r.status === 0 ? null : r.stderr;
  } finally {
    rmSync(lock, { force: true });
  }
}

/** The peer package, installed first if need be; null (with a message) when it cannot be. */
export function peer<T>(name: keyof typeof VERSIONS): T | null {
  if (!installed(name)) {
    const complaint = installAll();
    if (!installed(name)) {
      const why = complaint ?? 'not installed';
      process.stderr.write(`export tests SKIPPED: ${name} could not be installed (${why})\n`);
      return null;
    }
  }
  return createRequire(join(PEERS, 'package.json'))(name) as T;
}
