// `prunelab serve [folder]` (the web view of a runs folder) and the server `study --serve` starts
// for its own run. The server loads only when asked for: other commands start as fast as before.
import type { Command } from 'commander';
import { num } from './options.js';

export interface ServeFlags {
  port?: number;
  host?: string;
}

/** Starts the web view of `root`; says where, and warns when it is reachable from elsewhere. */
export async function startServing(
  root: string,
  flags: ServeFlags,
  say: (line: string) => void,
  anyPort = false,
) {
  const { serve } = await import('../serve/server.js');
  const host = flags.host ?? '127.0.0.1';
  if (!['127.0.0.1', 'localhost', '::1'].includes(host)) {
    process.stderr.write(
      `prunelab: warning: serving on ${host}: every machine that reaches it can read ${root}\n`,
    );
  }
  let served;
  try {
    served = await serve({ root, host, port: flags.port ?? 8417 });
  } catch (err) {
    // the study's own page takes any free port when the usual one is taken
    if (!anyPort || !/is in use/.test((err as Error).message)) throw err;
    served = await serve({ root, host, port: 0 });
  }
  say(`serving ${root} at ${served.url} (Ctrl-C to stop)`);
  return served;
}

export function addServeCommand(program: Command): void {
  program
    .command('serve')
    .description(
      'a live web view of every run in a folder: runs, each run, compare, and the study run in ' +
        'the browser (/browser)',
    )
    .argument('[folder]', 'the runs folder', 'runs')
    .option('--port <n>', 'the port (default 8417; 0 picks a free one)', num('--port', 'int'))
    .option('--host <host>', 'the address to listen on (default 127.0.0.1: this machine only)')
    .action(async (folder: string, opts: ServeFlags) => {
      const say = (line: string) => process.stdout.write(line + '\n');
      const served = await startServing(folder, opts, say);
      say(`the paper's study in this browser: ${served.url}browser`);
      await new Promise<void>((resolve) => {
        const stop = () => resolve();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      await served.close();
    });
}
