// Which file a request may read: only files under the served folder. The URL's path is decoded
// once; `..` segments, absolute paths, NUL bytes and backslashes are refused, and the real path
// (symbolic links followed) must still lie under the folder's real path.
import { realpathSync, statSync } from 'node:fs';
import { isAbsolute, join, relative, sep } from 'node:path';

/** The real path of `wanted` (a path relative to `root`), or null when it may not be served. */
export function fileInside(root: string, wanted: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(wanted);
  } catch {
    return null;
  }
  if (decoded.includes('\0') || decoded.includes('\\') || isAbsolute(decoded)) return null;
  const parts = decoded.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.includes('..') || !parts.length) return null;
  let real: string;
  let base: string;
  try {
    base = realpathSync(root);
    real = realpathSync(join(base, ...parts));
  } catch {
    return null;
  }
  const inside = relative(base, real);
  if (
    inside === '' ||
    inside.startsWith('..') ||
    isAbsolute(inside) ||
    inside.split(sep)[0] === '..'
  ) {
    return null;
  }
  return statSync(real).isFile() ? real : null;
}
