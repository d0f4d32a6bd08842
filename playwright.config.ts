import { defineConfig } from '@playwright/test';
import { CHROMIUM_ARGS, chromiumPath } from './scripts/chromium.ts';

const port = Number(process.env.E2E_PORT ?? 8181);
// $CHROMIUM_PATH, else Debian's /usr/bin/chromium, else Playwright's own downloaded
// Chromium (`npx playwright install chromium`, where that is possible).
const executablePath = chromiumPath();

export default defineConfig({
  testDir: 'tests/e2e',
  fullyParallel: true,
  workers: process.env.CI ? 2 : undefined,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 15_000 },
  reporter: [['list']],
  outputDir: 'test-results',
  use: {
    baseURL: `http://localhost:${port}`,
    // The specs find controls by their English names: every browser here asks for
    // English (navigator.languages) unless a spec picks another locale.
    locale: 'en-US',
    permissions: ['camera', 'microphone'],
    trace: 'retain-on-failure',
    launchOptions: {
      ...(executablePath ? { executablePath } : {}),
      args: CHROMIUM_ARGS,
    },
  },
  webServer: {
    // The real server, as `npm start` runs it (dist/ is built by `npm run test:e2e`).
    command: 'tsx signaling/main.ts',
    env: { PORT: String(port) },
    url: `http://localhost:${port}/healthz`,
    reuseExistingServer: false,
    stdout: 'ignore',
    timeout: 30_000,
  },
});
