import { defineProject } from 'vitest/config';

// Cross-package tests start real processes (replica clusters, brokers, socat, chromium). On a 2-core
// machine running those files side by side makes them compete for CPU and time out, so this project
// runs its files one at a time; the unit-test projects stay parallel.
export default defineProject({
  test: {
    name: 'test',
    include: ['src/**/*.test.ts', 'src/**/*.test.tsx'],
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 60_000,
  },
});
