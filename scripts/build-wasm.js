// Builds the WebAssembly kernels (assembly/*.ts) twice, with relaxed SIMD's fused multiply-add
// (build/kernels-fma.wasm) and without (build/kernels.wasm), unless both builds are newer than
// every source: `npm ci` builds them once and `npm test` does not build them again.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const SOURCES = 'assembly';
const COMMON = [
  'assembly/kernels.ts',
  '-O3',
  '--runtime',
  'stub',
  '--importMemory',
  '--sharedMemory',
  '--maximumMemory',
  '65536',
  '--noAssert',
  '--enable',
  'simd',
  '--enable',
  'threads',
];
const BUILDS = [
  { out: 'build/kernels.wasm', extra: [] },
  { out: 'build/kernels-fma.wasm', extra: ['--enable', 'relaxed-simd'] },
];

const newestSource = Math.max(
  ...readdirSync(SOURCES).map((f) => statSync(join(SOURCES, f)).mtimeMs),
  statSync('scripts/build-wasm.js').mtimeMs,
);
const stale = BUILDS.filter((b) => !existsSync(b.out) || statSync(b.out).mtimeMs < newestSource);
for (const build of stale) {
  const asc = spawnSync('npx', ['asc', ...COMMON, '--outFile', build.out, ...build.extra], {
    stdio: 'inherit',
  });
  if (asc.status !== 0) process.exit(asc.status ?? 1);
}
if (!stale.length) console.log('build/kernels*.wasm are up to date');
