// Compiles src/ to dist/ (a clean build: no file of a removed module is left behind), unless dist/
// is newer than every source: `npm ci` builds once and `npm test` does not build again.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const STAMP = 'dist/.built';

/** @param {string} dir @returns {number} the newest modification time under dir */
function newest(dir) {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs);
  }
  return latest;
}

const sources = Math.max(newest('src'), statSync('tsconfig.json').mtimeMs);
if (existsSync(STAMP) && statSync(STAMP).mtimeMs >= sources && !process.argv.includes('--force')) {
  console.log('dist/ is up to date');
} else {
  rmSync('dist', { recursive: true, force: true });
  const tsc = spawnSync('npx', ['tsc', '-p', 'tsconfig.json'], { stdio: 'inherit' });
  if (tsc.status !== 0) process.exit(tsc.status ?? 1);
  writeFileSync(STAMP, new Date().toISOString() + '\n');
}
