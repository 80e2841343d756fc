// The Redis behind a queue study: the --queue URL checked and shown without its password, the
// connections BullMQ and prunelab's own keys use (ioredis, reconnecting forever: a restarted
// Redis is waited for, not an error), and a first check that fails fast with one clear line.
import { Redis, type RedisOptions } from 'ioredis';
import { UserError } from '../util/errors.js';

/** Every key prunelab writes itself starts with this (BullMQ's own keys start with `bull:`). */
export const KEY_PREFIX = 'prunelab:';

/** The URL as it may be printed: the password replaced by `***`. */
export function shownUrl(url: string): string {
  return url.replace(/^(rediss?:\/\/[^:/@]*:)[^@]*@/, '$1***@');
}

/** Checks the URL's form: redis://[user:password@]host[:port][/db] (rediss:// for TLS). */
export function checkQueueUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    parsed = new URL('invalid://');
  }
  if (!['redis:', 'rediss:'].includes(parsed.protocol) || !parsed.hostname) {
    throw new UserError(
      `--queue ${shownUrl(url)} is not a Redis URL; give redis://host:port ` +
        '(redis://:password@host:port/db with a password, rediss:// for TLS)',
    );
  }
  return url;
}

/** A connection for BullMQ and the queue's keys: commands wait while Redis is away. */
export function connect(url: string, name: string): Redis {
  const options: RedisOptions = {
    maxRetriesPerRequest: null,
    connectionName: name,
    // reconnect forever, at most every 2 s: a restarted Redis is picked up within seconds
    retryStrategy: (times) => Math.min(200 * times, 2000),
  };
  const redis = new Redis(url, options);
  // errors while reconnecting are expected; each command waits for the connection instead
  redis.on('error', () => {});
  return redis;
}

/** Connects once, without retrying: a Redis that cannot be reached is one clear error. */
export async function checkReachable(url: string): Promise<void> {
  checkQueueUrl(url);
  const redis = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    connectTimeout: 5000,
    retryStrategy: () => null,
  });
  let reason: string | null = null;
  redis.on('error', (err: Error) => {
    reason ??= err.message;
  });
  try {
    await redis.connect();
    await redis.ping();
  } catch (err) {
    reason ??= (err as Error).message;
  } finally {
    // (disconnecting a connection that already ended holds the process for 2 s)
    if (redis.status !== 'end') redis.disconnect();
  }
  if (reason !== null) {
    throw new UserError(
      `cannot use the Redis at ${shownUrl(url)} (${reason}); start redis-server there, ` +
        'or give the right --queue URL (with its password: redis://:password@host:port)',
    );
  }
}
