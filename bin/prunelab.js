#!/usr/bin/env node
// The prunelab command: a thin entry over the compiled CLI (dist/cli/main.js).
import { main } from '../dist/cli/main.js';
main(process.argv).catch((err) => {
  process.stderr.write(`prunelab: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = process.exitCode || 1;
});
