// The browser's stand-in for node:fs: an in-memory file table holding exactly the synchronous
// calls the study's tasks make (checkpoints, models, results.json), so the same task code runs in
// a page and in its Web Workers. The bundle (scripts/build-web.js) maps node:fs here. Hand-written
// because memfs, the library for this, needs Node's buffer, events, stream and util polyfilled in a
// page, while the tasks use a dozen plain calls. `snapshot` and `restore` move files between the
// page and its workers (the browser runner, src/browser/worker-pool.ts).
import { Buffer } from 'buffer';
import { dirname, resolve } from 'pathe';

const files = new Map<string, Uint8Array>();
const folders = new Set<string>(['/']);
const open = new Map<number, { path: string; chunks: Uint8Array[] }>();
let nextFd = 3;
const watchers: ((path: string) => void)[] = [];

type PathLike = string | URL;

function full(path: PathLike): string {
  return resolve('/', typeof path === 'string' ? path : path.pathname);
}

function fail(code: string, call: string, path: string): never {
  const err = new Error(`${code}: ${call} '${path}'`) as Error & { code: string; path: string };
  err.code = code;
  err.path = path;
  throw err;
}

function changed(path: string): void {
  for (const watcher of watchers) watcher(path);
}

function store(path: string, bytes: Uint8Array): void {
  if (!folders.has(dirname(path))) fail('ENOENT', 'open', path);
  if (folders.has(path)) fail('EISDIR', 'open', path);
  files.set(path, bytes);
  changed(path);
}

export const constants = { F_OK: 0, R_OK: 4, W_OK: 2, X_OK: 1 };

export function existsSync(path: PathLike): boolean {
  const p = full(path);
  return files.has(p) || folders.has(p);
}

export function accessSync(path: PathLike): void {
  if (!existsSync(path)) fail('ENOENT', 'access', full(path));
}

export function readFileSync(path: PathLike, options: string | { encoding: string }): string;
export function readFileSync(path: PathLike): Buffer;
export function readFileSync(
  path: PathLike,
  options?: string | { encoding?: string },
): Buffer | string {
  const p = full(path);
  const bytes = files.get(p) ?? fail(folders.has(p) ? 'EISDIR' : 'ENOENT', 'open', p);
  const encoding = typeof options === 'string' ? options : options?.encoding;
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return encoding ? buffer.toString(encoding as BufferEncoding) : buffer;
}

export function writeFileSync(
  path: PathLike,
  data: string | Uint8Array,
  options?: { flag?: string },
): void {
  const p = full(path);
  if (options?.flag === 'wx' && files.has(p)) fail('EEXIST', 'open', p);
  const bytes = typeof data === 'string' ? Buffer.from(data) : Uint8Array.from(data);
  store(p, bytes);
}

export function mkdirSync(path: PathLike, options?: { recursive?: boolean }): void {
  const p = full(path);
  if (folders.has(p)) {
    if (options?.recursive) return;
    fail('EEXIST', 'mkdir', p);
  }
  if (files.has(p)) fail('EEXIST', 'mkdir', p);
  if (!folders.has(dirname(p))) {
    if (!options?.recursive) fail('ENOENT', 'mkdir', p);
    mkdirSync(dirname(p), options);
  }
  folders.add(p);
}

function childrenOf(p: string): string[] {
  const prefix = p === '/' ? '/' : `${p}/`;
  const names = new Set<string>();
  for (const key of [...files.keys(), ...folders]) {
    if (key !== p && key.startsWith(prefix)) names.add(key.slice(prefix.length).split('/')[0]);
  }
  return [...names].sort();
}

interface Entry {
  name: string;
  isDirectory(): boolean;
  isFile(): boolean;
}

export function readdirSync(path: PathLike, options?: { withFileTypes?: boolean }): unknown[] {
  const p = full(path);
  if (!folders.has(p)) fail(files.has(p) ? 'ENOTDIR' : 'ENOENT', 'scandir', p);
  const names = childrenOf(p);
  if (!options?.withFileTypes) return names;
  return names.map((name): Entry => {
    const isDir = folders.has(resolve(p, name));
    return { name, isDirectory: () => isDir, isFile: () => !isDir };
  });
}

export function statSync(path: PathLike) {
  const p = full(path);
  const isDir = folders.has(p);
  if (!isDir && !files.has(p)) fail('ENOENT', 'stat', p);
  const size = isDir ? 0 : files.get(p)!.byteLength;
  const now = Date.now();
  return {
    size,
    mtimeMs: now,
    mtime: new Date(now),
    isDirectory: () => isDir,
    isFile: () => !isDir,
  };
}

export function rmSync(path: PathLike, options?: { recursive?: boolean; force?: boolean }): void {
  const p = full(path);
  if (files.delete(p)) return changed(p);
  if (!folders.has(p)) {
    if (options?.force) return;
    fail('ENOENT', 'rm', p);
  }
  if (!options?.recursive) fail('EISDIR', 'rm', p);
  for (const key of [...files.keys()]) if (key.startsWith(`${p}/`)) files.delete(key);
  for (const key of [...folders]) if (key === p || key.startsWith(`${p}/`)) folders.delete(key);
}

export function renameSync(from: PathLike, to: PathLike): void {
  const source = full(from);
  const bytes = files.get(source) ?? fail('ENOENT', 'rename', source);
  store(full(to), bytes);
  files.delete(source);
}

export function copyFileSync(from: PathLike, to: PathLike): void {
  const source = full(from);
  store(full(to), files.get(source) ?? fail('ENOENT', 'copyfile', source));
}

export function realpathSync(path: PathLike): string {
  const p = full(path);
  if (!existsSync(p)) fail('ENOENT', 'realpath', p);
  return p;
}

export function openSync(path: PathLike, flags = 'r'): number {
  const p = full(path);
  if (!flags.startsWith('w')) fail('EINVAL', `open (flags ${flags} are not kept in memory)`, p);
  if (flags === 'wx' && files.has(p)) fail('EEXIST', 'open', p);
  store(p, new Uint8Array(0));
  const fd = nextFd++;
  open.set(fd, { path: p, chunks: [] });
  return fd;
}

export function writeSync(fd: number, data: Uint8Array, offset = 0, length?: number): number {
  const file = open.get(fd) ?? fail('EBADF', 'write', String(fd));
  const end = length === undefined ? data.byteLength : offset + length;
  file.chunks.push(Uint8Array.from(data.subarray(offset, end)));
  return end - offset;
}

export function fsyncSync(fd: number): void {
  if (!open.has(fd)) fail('EBADF', 'fsync', String(fd));
}

export function closeSync(fd: number): void {
  const file = open.get(fd) ?? fail('EBADF', 'close', String(fd));
  open.delete(fd);
  store(file.path, Buffer.concat(file.chunks));
}

/** Every file under `dir`, by full path (the bytes are shared, not copied). */
export function snapshot(dir: string): Record<string, Uint8Array> {
  const p = full(dir);
  const taken: Record<string, Uint8Array> = {};
  for (const [key, bytes] of files) if (key.startsWith(`${p}/`)) taken[key] = bytes;
  return taken;
}

/** Writes `taken` (from snapshot) here, making the folders they need. */
export function restore(taken: Record<string, Uint8Array>): void {
  for (const [path, bytes] of Object.entries(taken)) {
    mkdirSync(dirname(path), { recursive: true });
    store(path, bytes);
  }
}

/**
 * Calls `onChange` with the full path of every file written, renamed into place or removed, until
 * the returned function is called.
 */
export function watchFiles(onChange: (path: string) => void): () => void {
  watchers.push(onChange);
  return () => {
    const at = watchers.indexOf(onChange);
    if (at >= 0) watchers.splice(at, 1);
  };
}
