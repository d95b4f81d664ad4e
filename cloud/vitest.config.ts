import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'cloud',
    include: ['src/**/*.test.ts', 'src/**/*.test.tsx'],
    // CI machines are shared and noisy: a unit test slowed 5x by load must not fail on time.
    testTimeout: 30_000,
  },
});
