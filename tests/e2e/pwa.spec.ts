import { expect, test } from '@playwright/test';

test('installable: a manifest with icons, and the app shell loads offline once visited', async ({ browser }) => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto('/');
  const manifestUrl = await page.locator('link[rel="manifest"]').getAttribute('href');
  const manifest = await (await page.request.get(new URL(manifestUrl!, page.url()).toString())).json();
  expect(manifest).toMatchObject({ short_name: 'Duet', display: 'standalone', start_url: './' });
  expect(manifest.icons.map((icon: { sizes: string }) => icon.sizes)).toEqual(expect.arrayContaining(['192x192', '512x512']));

  // Wait for the service worker to take control, then go offline.
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
  });
  await page.reload();
  await expect.poll(() => page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true);
  await context.setOffline(true);
  await page.reload();
  await expect(page.getByRole('button', { name: 'Create room' })).toBeVisible();
  await expect(page.getByRole('textbox', { name: 'Your name' })).toBeVisible();

  // Connecting of course needs the network: a clear error, not a hang.
  await page.getByRole('textbox', { name: 'Your name' }).fill('Offline');
  await page.getByRole('button', { name: 'Create room' }).click();
  await expect(page.getByRole('status').first()).toContainText('[signaling-unreachable]');
  await context.close();
});
