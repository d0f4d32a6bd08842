import { defineConfig } from 'vitest/config';

// Unit tests only: the Playwright specs under tests/e2e must never be collected here.
export default defineConfig({
  test: {
    include: ['tests/unit/**/*.test.ts'],
    environment: 'node',
  },
});
