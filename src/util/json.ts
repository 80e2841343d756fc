// Reading JSON files that may be missing or half-written (a checkpoint to redo, an earlier run).
import { existsSync, readFileSync } from 'node:fs';

/** A JSON file's content, or null when it is missing or unreadable. */
export function readJson<T>(file: string): T | null {
  if (!existsSync(file)) return null;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch {
    return null;
  }
}
