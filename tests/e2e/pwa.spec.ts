import { expect, test } from '@playwright/test';

test('installable: a manifest with icons, a shell of what the page starts with (on-demand code kept once used), and it loads offline once visited', async ({ browser }) => {
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

  // Installed with what the page starts with; code loaded on demand (the WebRTC code a
  // conversation loads, too) is not downloaded ahead, nor are the icons, which only
  // a browser's tab or its installation asks for.
  const cached = () => page.evaluate(async () => (await Promise.all((await caches.keys()).map(async (name) => (await (await caches.open(name)).keys()).map((r) => r.url)))).flat());
  expect((await cached()).some((url) => url.includes('/assets/duet-chat-'))).toBe(true);
  expect((await cached()).some((url) => url.endsWith('/favicon.svg'))).toBe(true);
  expect((await cached()).filter((url) => /\/assets\/(unhomoglyph|pake|english|pt-BR|peer-link)-/.test(url))).toEqual([]);
  expect((await cached()).filter((url) => /\/(icon-192\.png|icon-512\.png|manifest\.webmanifest)$/.test(url))).toEqual([]);
  // Used once (a room loads the WebRTC code, a short code the word list), it is kept.
  await page.getByRole('textbox', { name: 'Your name' }).fill('Ana');
  await page.getByRole('button', { name: 'Create room' }).click();
  await page.getByRole('button', { name: 'Get a short code' }).click();
  await expect(page.getByLabel('Or read this short code aloud')).toBeVisible();
  await expect.poll(async () => (await cached()).some((url) => url.includes('/assets/english-'))).toBe(true);
  await expect.poll(async () => (await cached()).some((url) => url.includes('/assets/peer-link-'))).toBe(true);
  await page.getByRole('button', { name: 'Leave' }).click();
  // The icons and manifest likewise, once a browser asked for them.
  expect(await page.evaluate(async () => (await Promise.all(['./icon-192.png', './manifest.webmanifest'].map(async (path) => (await fetch(path)).ok))).every(Boolean))).toBe(true);
  await expect.poll(async () => (await cached()).filter((url) => /\/(icon-192\.png|manifest\.webmanifest)$/.test(url)).length).toBe(2);

  await context.setOffline(true);
  // Left on purpose: the reload shows the lobby, not the room just left.
  await page.reload();
  await expect(page.getByRole('button', { name: 'Create room' })).toBeVisible();
  await expect(page.getByRole('textbox', { name: 'Your name' })).toBeVisible();
  expect(await page.evaluate(async () => (await fetch('./icon-192.png')).ok)).toBe(true);

  // Connecting of course needs the network: a clear error, not a hang.
  await page.getByRole('textbox', { name: 'Your name' }).fill('Offline');
  await page.getByRole('button', { name: 'Create room' }).click();
  await expect(page.getByRole('status').first()).toContainText('[signaling-unreachable]');
  await context.close();
});
