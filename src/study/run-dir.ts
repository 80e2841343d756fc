// The run directory of a study: its default name, the refusal to start a study over another one,
// the configuration kept in it for --resume, and when a resumed study first started.
import { existsSync, readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { parseStudyConfig, type StudyConfig } from '../config.js';
import { writeJsonAtomic } from '../util/atomic.js';
import { UserError } from '../util/errors.js';
import { timestampedRunDir } from '../util/folders.js';
import { readJson } from '../util/json.js';

/** `runs/<preset>-<yyyymmdd-hhmmss>` under the working directory (see timestampedRunDir). */
export function defaultStudyDir(cfg: StudyConfig): string {
  return timestampedRunDir(cfg.preset);
}

/** The folder a new study writes to; refuses one that already holds a study. */
export function newStudyDir(cfg: StudyConfig): string {
  const dir = resolve(cfg.out ?? defaultStudyDir(cfg));
  if (existsSync(configPath(dir))) {
    throw new UserError(
      `${dir} already holds a study; continue it with --resume ${dir}, or choose another --out`,
    );
  }
  return dir;
}

/**
 * Refuses options given with --resume that contradict the study's saved configuration (a resumed
 * study continues with the configuration it started with), naming each.
 */
export function checkResumeOptions(dir: string, given: Record<string, unknown>): void {
  const saved = loadStudyConfig(dir) as Record<string, unknown>;
  const { strategy, ...rest } = given;
  const options = strategy === undefined ? rest : { ...rest, criterion: strategy };
  const asGiven = parseStudyConfig({ ...saved, ...options }) as Record<string, unknown>;
  const flag = (key: string) => '--' + key.replace(/[A-Z]/g, (m) => '-' + m.toLowerCase());
  const show = (v: unknown) => (Array.isArray(v) ? v.join(',') : String(v));
  const clashes = Object.keys(options)
    .filter((key) => key in asGiven && JSON.stringify(asGiven[key]) !== JSON.stringify(saved[key]))
    .map((key) => `${flag(key)} ${show(asGiven[key])} (the study has ${show(saved[key])})`);
  if (clashes.length) {
    throw new UserError(
      `--resume continues ${dir} with the configuration it started with; ${clashes.join(', ')} ` +
        'would change it. Drop the option, or start a new study with another --out',
    );
  }
}

export function studyName(dir: string): string {
  return basename(dir);
}

function configPath(dir: string): string {
  return join(dir, 'config.json');
}

export function saveStudyConfig(dir: string, cfg: StudyConfig): void {
  writeJsonAtomic(configPath(dir), cfg);
}

/** The configuration a study was started with, for --resume. */
export function loadStudyConfig(dir: string): StudyConfig {
  const file = configPath(dir);
  if (!existsSync(file)) {
    throw new UserError(
      `${dir} is not a study run directory (no config.json); ` +
        `start a study with prunelab study --out ${dir}`,
    );
  }
  return parseStudyConfig(JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>);
}

/** When the study in `dir` first started, if it wrote results before. */
export function previousStart(dir: string): string | undefined {
  return readJson<{ timings?: { startedAt?: string } }>(join(dir, 'results.json'))?.timings
    ?.startedAt;
}
