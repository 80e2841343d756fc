// The line for a file that is not there, with the path probably meant: a study's runs are folders
// named criterion-sSEED (runs/x/paper-s1/knee.safetensors), and a name may be misspelt.
import { existsSync, readdirSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import { nearest } from './nearest.js';

/** The existing path closest to `file`, or null. */
export function meantPath(file: string): string | null {
  const folder = dirname(file);
  const name = basename(file);
  if (!existsSync(folder)) return seedRun(folder, name);
  // a file of another kind is not what was meant: an image for a model, a model for a spec
  const kind = extname(name).toLowerCase();
  const candidates = entries(folder).filter((e) => extname(e).toLowerCase() === kind);
  const guess = nearest(name, candidates);
  return guess ? join(folder, guess) : null;
}

function entries(folder: string): string[] {
  try {
    return readdirSync(folder);
  } catch {
    return [];
  }
}

/** For runs/x/paper/NAME: runs/x/paper-sSEED/NAME of the lowest seed that has it. */
function seedRun(folder: string, name: string): string | null {
  const prefix = `${basename(folder)}-s`;
  const seeds = entries(dirname(folder))
    .filter((e) => e.startsWith(prefix) && /^\d+$/.test(e.slice(prefix.length)))
    .sort((a, b) => Number(a.slice(prefix.length)) - Number(b.slice(prefix.length)));
  const runs = seeds.map((e) => join(dirname(folder), e, name));
  return runs.find((r) => existsSync(r)) ?? null;
}

/** `${what} FILE not found`, with "(did you mean ...?)" when a path close to it exists. */
export function notFoundMessage(what: string, file: string): string {
  const meant = meantPath(file);
  return `${what} ${file} not found${meant ? ` (did you mean ${meant}?)` : ''}`;
}
