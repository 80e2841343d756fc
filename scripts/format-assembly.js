// Formats the AssemblyScript kernels (assembly/*.ts) with Prettier, as `prettier --write .` does
// the rest of the repository, or checks them (`--check`, run by `npm run lint`). Prettier cannot
// parse AssemblyScript's decorator on functions (`@inline function f`), so each one is hidden in a
// comment for the call (`/* @inline */ function f`) and restored in the result; nothing else is
// changed. The kernels' own compiler (asc) checks their types; ESLint does not read them.
import { readFileSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as prettier from 'prettier';

const FOLDER = 'assembly';
const HIDDEN = '/* @inline */ ';
const check = process.argv.includes('--check');

const hide = (source) => source.replace(/@inline (?=(export )?function )/g, HIDDEN);
const restore = (source) => source.replaceAll(HIDDEN, '@inline ');

const files = readdirSync(FOLDER)
  .filter((name) => name.endsWith('.ts'))
  .map((name) => join(FOLDER, name));
const unformatted = [];
for (const file of files) {
  const source = readFileSync(file, 'utf8');
  if (source.includes(HIDDEN)) throw new Error(`${file}: already holds "${HIDDEN.trim()}"`);
  const options = await prettier.resolveConfig(file);
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
if (!check) console.log(`formatted ${unformatted.length} of ${files.length} kernel files`);
