import { defineConfig } from 'vitest/config';

// One `pnpm test` runs every package's tests as vitest projects.
export default defineConfig({
  test: {
    projects: ['shared', 'cloud', 'edge', 'firmware-sim', 'test'],
  },
});
