// Formats the AssemblyScript kernels (assembly/*.ts) with Prettier, as `prettier --write .` does
// the rest of the repository, or checks them (`--check`, run by `npm run lint`). Prettier cannot
// parse AssemblyScript's decorator on functions (`@inline function f`), so each one is hidden in a
// comment for the call (`/* @inline */ function f`) and restored in the result; nothing else is
// changed. The check also refuses lines over Prettier's width (comments, which it does not wrap),
// as ESLint's max-len does for the rest. The kernels' own compiler (asc) checks their types.
import { readFileSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as prettier from 'prettier';

const FOLDER = 'assembly';
const HIDDEN = '/* @inline */ ';
const check = process.argv.includes('--check');

/** @param {string} source */
const hide = (source) => source.replace(/@inline (?=(export )?function )/g, HIDDEN);
/** @param {string} source */
const restore = (source) => source.replaceAll(HIDDEN, '@inline ');

const files = readdirSync(FOLDER)
  .filter((name) => name.endsWith('.ts'))
  .map((name) => join(FOLDER, name));
/** @type {string[]} */
const unformatted = [];
/** @type {string[]} */
const tooLong = [];
for (const file of files) {
  const source = readFileSync(file, 'utf8');
  const options = await prettier.resolveConfig(file);
  const width = options?.printWidth ?? 80;
  source.split('\n').forEach((line, index) => {
    if (line.length > width) tooLong.push(`${file}:${index + 1} (${line.length} > ${width})`);
  });
  if (source.includes(HIDDEN)) throw new Error(`${file}: already holds "${HIDDEN.trim()}"`);
  const formatted = restore(await prettier.format(hide(source), { ...options, filepath: file }));
  if (formatted === source) continue;
  unformatted.push(file);
  if (check) continue;
  writeFileSync(`${file}.tmp`, formatted);
  renameSync(`${file}.tmp`, file);
}
if (check && unformatted.length) {
  console.error(`not formatted: ${unformatted.join(', ')}; run npm run format`);
  process.exit(1);
}
if (check && tooLong.length) {
  console.error(`lines over the width, to wrap by hand: ${tooLong.join(', ')}`);
  process.exit(1);
}
if (!check) console.log(`formatted ${unformatted.length} of ${files.length} kernel files`);
