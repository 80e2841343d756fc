// Bundles the in-browser study (dist/browser/study-page.js and its Web Worker, task-worker.js)
// into dist/web/ with rolldown, for `prunelab serve`, with the figures' colours
// (dist/report/figure-style.js) that the web view's charts share with the report. The study's
// own modules go in unchanged; the Node modules they import are mapped to the browser stand-ins
// in src/browser/shims/ (an in-memory file system, the navigator's facts, and clear errors for
// what only the CLI does).
// Runs after build-ts (npm run build), so a fresh `npm ci` yields a working server.
import { existsSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { build } from 'rolldown';

const shims = resolve('dist/browser/shims');
/** @param {string} name */
const shim = (name) => join(shims, `${name}.js`);
const alias = {
  'node:fs': shim('fs'),
  'node:fs/promises': shim('unavailable'),
  'node:path': resolve('node_modules/pathe/dist/index.mjs'),
  'node:os': shim('os'),
  'node:v8': shim('v8'),
  'node:url': shim('unavailable'),
  'node:worker_threads': shim('unavailable'),
  'node:crypto': shim('unavailable'),
  'node:module': shim('unavailable'),
  'node:zlib': shim('unavailable'),
  sharp: shim('sharp'),
};

const entries = [
  'dist/browser/study-page.js',
  'dist/browser/task-worker.js',
  'dist/report/figure-style.js',
];
const out = 'dist/web';
const stamp = join(out, 'study-page.js');
const newestEntry = Math.max(...entries.map((file) => statSync(file).mtimeMs));
if (
  existsSync(stamp) &&
  statSync(stamp).mtimeMs >= newestEntry &&
  !process.argv.includes('--force')
) {
  console.log('dist/web/ is up to date');
} else {
  rmSync(out, { recursive: true, force: true });
  await build({
    input: { 'study-page': entries[0], 'task-worker': entries[1], 'figure-style': entries[2] },
    platform: 'browser',
    resolve: { alias },
    output: { dir: out, format: 'esm', minify: true, entryFileNames: '[name].js' },
    /** @param {string} level @param {{ message: string; code?: string }} log */
    onLog(level, log) {
      console.error(`build-web: ${level}: ${log.message}`);
      if (level === 'warn' && log.code === 'UNRESOLVED_IMPORT') process.exitCode = 1;
    },
  });
  console.log(`dist/web/: the in-browser study (${entries.join(', ')})`);
}
