// The runs under a folder, as the web view lists them: each study, training and learning-rate
// sweep (a folder with results.json, or only config.json while it starts), with what the runs
// page shows of it. A folder whose results.json cannot be read is listed with the reason.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

export interface RunSummary {
  name: string;
  kind: 'study' | 'train' | 'lr-sweep' | 'unknown';
  status: string;
  /** Why results.json could not be read (the run is listed as unreadable). */
  unreadable?: string;
  dataset?: string;
  criteria?: string[];
  seeds?: number;
  baseline?: number;
  /** Knee per criterion (studies). */
  knees?: Record<string, number>;
  seconds?: number;
  startedAt?: string;
  modifiedAt: string;
}

type Json = Record<string, unknown>;

function kindOf(schema: unknown): RunSummary['kind'] {
  if (typeof schema !== 'string') return 'unknown';
  if (schema.startsWith('prunelab.study/')) return 'study';
  if (schema.startsWith('prunelab.train/')) return 'train';
  if (schema.startsWith('prunelab.lrsweep/')) return 'lr-sweep';
  return 'unknown';
}

const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/** One run's summary from its results.json (or config.json); null when the folder is not a run. */
export function summarizeRun(root: string, name: string): RunSummary | null {
  const dir = join(root, name);
  const results = join(dir, 'results.json');
  const config = join(dir, 'config.json');
  if (!existsSync(results)) {
    if (!existsSync(config)) return null;
    const modifiedAt = statSync(config).mtime.toISOString();
    return { name, kind: 'study', status: 'starting', modifiedAt };
  }
  const modifiedAt = statSync(results).mtime.toISOString();
  let r: Json;
  try {
    r = JSON.parse(readFileSync(results, 'utf8')) as Json;
    if (typeof r !== 'object' || r === null) throw new Error('not a JSON object');
  } catch (err) {
    const reason = `results.json is unreadable: ${(err as Error).message}`;
    return { name, kind: 'unknown', status: 'unreadable', unreadable: reason, modifiedAt };
  }
  const cfg = (r.config ?? {}) as Json;
  const data = (r.data ?? {}) as Json;
  const baseline = (r.baseline ?? {}) as Json;
  const summary = (r.summary ?? {}) as Json;
  const timings = (r.timings ?? {}) as Json;
  const criteria = Array.isArray(summary.criteria) ? (summary.criteria as Json[]) : [];
  return {
    name,
    kind: kindOf(r.schema),
    status: typeof r.status === 'string' ? r.status : r.best !== undefined ? 'complete' : 'unknown',
    dataset: typeof data.name === 'string' ? data.name : (cfg.dataset as string | undefined),
    criteria: Array.isArray(cfg.criterion) ? (cfg.criterion as string[]) : undefined,
    seeds: num(cfg.seeds),
    baseline: num(baseline.testAccuracy) ?? num(r.testAccuracy),
    knees: Object.fromEntries(criteria.map((c) => [String(c.criterion), Number(c.knee)])),
    seconds: num(timings.seconds) ?? num(timings.totalSeconds),
    startedAt: typeof timings.startedAt === 'string' ? timings.startedAt : undefined,
    modifiedAt,
  };
}

/** Every run directly under `root`, newest first. */
export function listRuns(root: string): RunSummary[] {
  let names: string[];
  try {
    names = readdirSync(root, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name);
  } catch {
    return [];
  }
  return names
    .map((name) => summarizeRun(root, name))
    .filter((r): r is RunSummary => r !== null)
    .sort((a, b) => b.modifiedAt.localeCompare(a.modifiedAt));
}

/** The files of a run a user may download: results, steps, models. */
export function runFiles(root: string, name: string): string[] {
  const dir = join(root, name);
  let entries;
  try {
    entries = readdirSync(dir, { recursive: true, withFileTypes: true });
  } catch {
    return [];
  }
  return entries
    .filter((e) => e.isFile() && /\.(json|csv|safetensors|html|png|svg)$/.test(e.name))
    .filter((e) => !e.name.endsWith('.tmp') && e.name !== 'checkpoint.json')
    .map((e) =>
      join(e.parentPath, e.name)
        .slice(dir.length + 1)
        .split('\\')
        .join('/'),
    )
    .sort();
}
