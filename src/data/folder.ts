// Image folders: one subfolder per class (class names from folder names, sorted), optionally under
// train/, val/ and test/ folders, which are then used as the split.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { DataError } from '../util/errors.js';
import { IMAGE_EXTENSIONS, type ImageRecord } from './images.js';

export interface ImageSource {
  name: string;
  classes: string[];
  records: ImageRecord[];
  source: string;
  split: boolean;
  info?: Record<string, unknown>;
  features?: boolean;
}

const SPLITS = ['train', 'val', 'test'] as const;

export function requireDir(dir: string | undefined, what: string): string {
  if (!dir) throw new DataError(`${what} needs --data DIR, the folder holding the images`);
  if (!existsSync(dir))
    throw new DataError(`data folder "${dir}" does not exist; check the path given to --data`);
  if (!statSync(dir).isDirectory())
    throw new DataError(`--data "${dir}" is a file; pass the folder that holds the images`);
  return dir;
}

const subdirs = (d: string) =>
  readdirSync(d, { withFileTypes: true })
    .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
    .map((e) => e.name)
    .sort();
export const imagesIn = (d: string) =>
  readdirSync(d, { withFileTypes: true })
    .filter((e) => e.isFile() && IMAGE_EXTENSIONS.test(e.name))
    .map((e) => e.name)
    .sort();

export function scanFolder(dirArg: string | undefined): ImageSource {
  const dir = requireDir(dirArg, '--dataset folder');
  const top = subdirs(dir);
  const hasSplit = top.includes('train') && (top.includes('test') || top.includes('val'));
  const roots: { split?: (typeof SPLITS)[number]; path: string }[] = hasSplit
    ? SPLITS.filter((s) => top.includes(s)).map((s) => ({ split: s, path: join(dir, s) }))
    : [{ path: dir }];
  const classes = [...new Set(roots.flatMap((r) => subdirs(r.path)))].sort();
  if (classes.length < 2)
    throw new DataError(
      `${dir} should hold one subfolder per class (at least two), ` +
        `${hasSplit ? '' : 'optionally '}inside train/, val/ and test/; found ${classes.length}`,
    );
  const records: ImageRecord[] = [];
  for (const r of roots)
    for (const [label, c] of classes.entries()) {
      const p = join(r.path, c);
      if (!existsSync(p)) {
        if (r.split === 'train') throw new DataError(`class "${c}" has no folder in ${r.path}`);
        continue;
      }
      const files = imagesIn(p);
      if (files.length === 0 && (r.split === undefined || r.split === 'train'))
        throw new DataError(`class folder "${p}" is empty (no .jpg, .png or .webp images)`);
      for (const f of files) records.push({ file: join(p, f), label, split: r.split });
    }
  return {
    name: 'folder',
    classes,
    records,
    source: `image folder ${dir}${hasSplit ? ' (train/val/test split as given)' : ''}`,
    split: hasSplit,
  };
}
