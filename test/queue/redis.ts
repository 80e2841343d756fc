// A real redis-server for the queue tests: Debian's, on a free loopback port, without persistence,
// in a folder of its own; stopped after the tests. Where redis-server is not installed the tests
// are skipped with a message saying so (.ci/run installs it).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const hasRedis = spawnSync('redis-server', ['--version']).status === 0;
if (!hasRedis) {
  process.stderr.write(
    'queue tests SKIPPED: redis-server is not installed (apt-get install redis-server)\n',
  );
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

export interface RedisOptions {
  /** A password the clients must give. */
  password?: string;
}

async function spawnRedis(port: number, dir: string, options: RedisOptions) {
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'];
  if (options.password) args.push('--requirepass', options.password);
  const child: ChildProcess = spawn('redis-server', [...args, '--dir', dir], { stdio: 'ignore' });
  const auth = options.password ? ['-a', options.password, '--no-auth-warning'] : [];
  for (let i = 0; i < 100; i++) {
    const ping = spawnSync('redis-cli', ['-p', String(port), ...auth, 'ping'], {
      encoding: 'utf8',
    });
    if (ping.stdout?.trim() === 'PONG') break;
    await new Promise((r) => setTimeout(r, 50));
  }
  return child;
}

export interface RedisServer {
  url: string;
  port: number;
  /** Stops the server (its data is gone: no persistence) and starts it again on the same port. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export async function startRedis(options: RedisOptions = {}): Promise<RedisServer> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'prunelab-redis-'));
  let child = await spawnRedis(port, dir, options);
  const kill = async () => {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
  };
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    restart: async () => {
      await kill();
      child = await spawnRedis(port, dir, options);
    },
    stop: async () => {
      await kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function flushRedis(port: number): void {
  spawnSync('redis-cli', ['-p', String(port), 'flushall']);
}
