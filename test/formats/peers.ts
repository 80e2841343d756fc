// The runtimes that verify exported models, installed on demand from the npm registry into
// node_modules/.cache (not dependencies of prunelab: onnxruntime-node alone is 290 MB, which
// `npm ci && npx prunelab study` should not pay for). onnxruntime-node's install step, which
// would download a GPU provider, is skipped (its CPU library ships in the package). Where the
// registry cannot be reached the tests that need them are skipped, saying so.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const PEERS = join(ROOT, 'node_modules', '.cache', 'prunelab-test-peers');
const VERSIONS = { 'onnxruntime-node': '1.30.0' };

/** The peer package, installed first if need be; null (with a message) when it cannot be. */
export function peer<T>(name: keyof typeof VERSIONS): T | null {
  const wanted = `${name}@${VERSIONS[name]}`;
  const installed = join(PEERS, 'node_modules', name, 'package.json');
  if (!existsSync(installed)) {
    mkdirSync(PEERS, { recursive: true });
    writeFileSync(join(PEERS, 'package.json'), JSON.stringify({ name: 'peers', private: true }));
    const r = spawnSync('npm', ['install', '--no-audit', '--no-fund', '--no-save', wanted], {
      cwd: PEERS,
      encoding: 'utf8',
      env: { ...process.env, ONNXRUNTIME_NODE_INSTALL: 'skip' },
    });
    if (r.status !== 0 || !existsSync(installed)) {
      process.stderr.write(
        `export tests SKIPPED: ${wanted} could not be installed (${r.stderr})\n`,
      );
      return null;
    }
  }
  return createRequire(join(PEERS, 'package.json'))(name) as T;
}
