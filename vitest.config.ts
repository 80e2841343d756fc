// Test runner settings: the default suite, 4 to 9 minutes on 2 cores (README, Run the tests).
import { defineConfig } from 'vitest/config';
export default defineConfig({
  test: { include: ['test/**/*.test.ts'], testTimeout: 120_000, pool: 'forks' },
});
