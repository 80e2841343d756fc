// Test runner settings: the default suite, about a minute on 2 cores.
import { defineConfig } from 'vitest/config';
export default defineConfig({
  test: { include: ['test/**/*.test.ts'], testTimeout: 120_000, pool: 'forks' },
});
