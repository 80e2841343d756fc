// The messages between the local pool (pool.ts) and its worker threads (worker.ts): a worker starts
// with the pool's counters of spare cores, takes the study's data first (when the pool has it),
// then a job goes out, and its events and then its outcome or error come back. Errors cross the
// thread boundary as plain data and are rebuilt as the same kind of error, so the CLI reports them
// the same way.
import {
  ConfigError,
  DataError,
  DivergenceError,
  InterruptedError,
  UserError,
} from '../util/errors.js';
import type { PreparedData } from '../data/types.js';
import type { DataSelection } from './study-data.js';
import type { TaskEvent, TaskOutcome, TaskRequest } from './task.js';

export interface WorkerJob {
  id: number;
  request: TaskRequest;
}

/** What a worker thread starts with: the pool's counters of spare cores (spare-cores.ts). */
export interface WorkerStart {
  spare: SharedArrayBuffer;
}

/** Sent once, before any job: the data the study has loaded, so that the worker need not. */
export interface WorkerData {
  data: { cfg: DataSelection; prepared: PreparedData };
}

export interface SerializedError {
  name: string;
  message: string;
  stack?: string;
}

export type WorkerReply =
  | { id: number; event: TaskEvent }
  | { id: number; outcome: TaskOutcome }
  | { id: number; error: SerializedError };

export function serializeError(err: unknown): SerializedError {
  if (!(err instanceof Error)) return { name: 'Error', message: String(err) };
  return { name: err.name, message: err.message, stack: err.stack };
}

const KINDS: Record<string, new (message: string) => Error> = {
  UserError,
  DataError,
  ConfigError,
  DivergenceError,
  InterruptedError,
};

export function deserializeError(e: SerializedError): Error {
  const Kind = KINDS[e.name] ?? Error;
  const err = new Kind(e.message);
  if (e.stack) err.stack = e.stack;
  return err;
}
