import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'firmware-sim',
    include: ['src/**/*.test.ts', 'src/**/*.test.tsx'],
  },
});
