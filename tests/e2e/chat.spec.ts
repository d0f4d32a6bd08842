import { expect, test } from '@playwright/test';
import jsQR from 'jsqr';
import { connectionStatus, createRoom, expectSecure, newUser, securePair, send } from './users.ts';

test('two people chat through a room joined by link, both ways', async ({ browser }) => {
  const { alice, bruno, link } = await securePair(browser);

  // The invite secret never stays in the address bar.
  expect(bruno.page.url()).not.toContain('#');
  expect(bruno.page.url()).toBe(new URL(link).origin + '/');

  // Typing shows on the other side before the message arrives.
  await bruno.page.getByRole('textbox', { name: 'Message' }).pressSequentially('Hi Al');
  await expect(alice.page.getByText('Bruno is typing…')).toBeVisible();
  await bruno.page.getByRole('textbox', { name: 'Message' }).fill('');

  await send(alice, 'Olá, Bruno! 👋');
  await send(bruno, 'Hi Alice');
  await expect(alice.page.getByText('Bruno is typing…')).toHaveCount(0);
  const aliceLog = alice.page.getByRole('log');
  const brunoLog = bruno.page.getByRole('log');
  await expect(brunoLog).toContainText('Olá, Bruno! 👋');
  await expect(aliceLog).toContainText('Hi Alice');

  // Sender name and time on every message; own and peer messages look different.
  const received = brunoLog.getByRole('listitem').filter({ hasText: 'Olá, Bruno!' });
  await expect(received).toContainText('Alice');
  await expect(received.locator('time')).toHaveAttribute('datetime', /^\d{4}-\d\d-\d\dT/);
  const own = brunoLog.getByRole('listitem').filter({ hasText: 'Hi Alice' });
  await expect(own).toContainText('Bruno (you)');
  await expect(own).toHaveClass(/\bme\b/);
  // Bruno's message was acknowledged by Alice's browser.
  await expect(own).toContainText('Delivered');
  await expect(received).toHaveClass(/\bpeer\b/);

  // Each status shown is a User Timing mark, in order (DevTools and the bench read them;
  // a phase that lasted less than one render may have none).
  const marks = () => performance.getEntriesByType('mark').map((mark) => mark.name).filter((name) => name.startsWith('duet:'));
  const inOrder = (seen: string[], expected: string[]) => expected.every((name, i) => i === 0 || seen.indexOf(name) > seen.indexOf(expected[i - 1]!));
  const aliceMarks = await alice.page.evaluate(marks);
  const brunoMarks = await bruno.page.evaluate(marks);
  expect(inOrder(aliceMarks, ['duet:opening', 'duet:waiting', 'duet:secure', 'duet:peer-named']), aliceMarks.join()).toBe(true);
  expect(inOrder(brunoMarks, ['duet:opening', 'duet:secure', 'duet:peer-named']), brunoMarks.join()).toBe(true);
  expect(aliceMarks.at(-1)).toBe('duet:peer-named');

  await alice.context.close();
  await bruno.context.close();
});

test('a 20,000-character Unicode message and markup arrive as plain text', async ({ browser }) => {
  const { alice, bruno } = await securePair(browser);
  const long = ('ção 漢字 🎉 ' + 'ñ'.repeat(10)).repeat(1000).slice(0, 20_000);
  expect(long.length).toBe(20_000);
  await send(alice, long);
  const xss = '<img src=x onerror=alert(1)>';
  await send(alice, xss);

  const log = bruno.page.getByRole('log');
  await expect(log.getByRole('listitem').filter({ hasText: xss })).toHaveCount(1);
  const texts = await log.locator('p.text').allTextContents();
  expect(texts).toContain(long);
  expect(texts).toContain(xss);
  // The markup created no element and ran nothing.
  await expect(log.locator('img')).toHaveCount(0);
  expect(bruno.dialogs).toEqual([]);
  await alice.context.close();
  await bruno.context.close();
});

test('joining by typed code; Enter sends and Shift+Enter makes a new line', async ({ browser }) => {
  const alice = await newUser(browser);
  const bruno = await newUser(browser);
  const link = await createRoom(alice, 'Alice');
  await bruno.page.goto('/');
  await bruno.page.getByRole('textbox', { name: 'Your name' }).fill('Bruno');
  // The code typed loads the WebRTC code (which the lobby does not), so Join need not wait for it.
  const connectionCode = bruno.page.waitForRequest(/\/assets\/peer-link-/);
  await bruno.page.getByRole('textbox', { name: 'Room code' }).fill(new URL(link).hash.slice(1));
  await connectionCode;
  await bruno.page.getByRole('button', { name: 'Join' }).click();
  await Promise.all([expectSecure(alice, 'Bruno'), expectSecure(bruno, 'Alice')]);

  const box = bruno.page.getByRole('textbox', { name: 'Message' });
  await box.click();
  await box.pressSequentially('first line');
  await box.press('Shift+Enter');
  await box.pressSequentially('second line');
  await box.press('Enter');
  await expect(box).toHaveValue('');
  await expect(alice.page.getByRole('log').locator('p.text').filter({ hasText: 'first line' })).toHaveText('first line\nsecond line');
  await alice.context.close();
  await bruno.context.close();
});

test('a third person is refused: the room is full', async ({ browser }) => {
  const { alice, bruno, link } = await securePair(browser);
  const carla = await newUser(browser);
  await carla.page.goto(link);
  await carla.page.getByRole('textbox', { name: 'Your name' }).fill('Carla');
  await carla.page.getByRole('button', { name: 'Join' }).click();
  await expect(connectionStatus(carla.page)).toContainText('This room is full');
  await expect(connectionStatus(carla.page)).toContainText('[room-full]');

  // The two inside are not disturbed.
  await send(alice, 'still here');
  await expect(bruno.page.getByRole('log')).toContainText('still here');
  for (const user of [alice, bruno, carla]) await user.context.close();
});

test('when one side closes the tab the other sees that they left', async ({ browser }) => {
  const { alice, bruno } = await securePair(browser);
  await bruno.page.close();
  await expect(connectionStatus(alice.page)).toHaveText('Bruno left', { timeout: 5_000 });
  await expect(alice.page.getByRole('textbox', { name: 'Message' })).toBeDisabled();
  await expect(alice.page.getByRole('button', { name: 'Send' })).toBeDisabled();
  await alice.context.close();
  await bruno.context.close();
});

test('the WebRTC code, loaded as a room is created, failing to load is a named error, not a room that can never connect', async ({ browser }) => {
  // No service worker: the page's own requests are the ones the route sees.
  const user = await newUser(browser, { serviceWorkers: 'block' });
  await user.page.route(/\/assets\/peer-link-/, (route) => route.abort('connectionfailed'));
  await user.page.goto('/');
  await user.page.getByRole('textbox', { name: 'Your name' }).fill('Eva');
  await user.page.getByRole('button', { name: 'Create room' }).click();
  await expect(connectionStatus(user.page)).toContainText('[app-load-failed]');
  await expect(user.page.getByRole('button', { name: 'New conversation' })).toBeVisible();
  await user.context.close();
});

test('the lobby explains bad codes and unknown rooms, and remembers the name', async ({ browser }) => {
  const user = await newUser(browser);
  await user.page.goto('/');
  await user.page.getByRole('textbox', { name: 'Your name' }).fill('Dora');
  await user.page.getByRole('textbox', { name: 'Room code' }).fill('not-a-code');
  await user.page.getByRole('button', { name: 'Join' }).click();
  await expect(user.page.getByRole('alert')).toContainText('[invalid-code]');

  // A well-formed code for a room nobody created.
  await user.page.getByRole('textbox', { name: 'Room code' }).fill('A'.repeat(42) + 'E');
  await user.page.getByRole('button', { name: 'Join' }).click();
  await expect(connectionStatus(user.page)).toContainText('[room-not-found]');

  await user.page.reload();
  await expect(user.page.getByRole('textbox', { name: 'Your name' })).toHaveValue('Dora');
  await user.context.close();
});

test('a link whose fragment is cut mid-escape opens the join flow and says the code cannot be read', async ({ browser }) => {
  const user = await newUser(browser);
  await user.page.goto('/#' + 'A'.repeat(20) + '%E0%A4%A');
  await user.page.getByRole('textbox', { name: 'Your name' }).fill('Dora');
  await user.page.getByRole('button', { name: 'Join' }).click();
  await expect(user.page.getByRole('alert')).toContainText('[invalid-code]');
  expect(user.page.url()).not.toContain('#');
  await user.context.close();
});

test('the invite offers a copy button and a QR code that a camera reads as the link', async ({ browser }) => {
  const alice = await newUser(browser);
  await alice.context.grantPermissions(['clipboard-read', 'clipboard-write']);
  const link = await createRoom(alice, 'Alice');
  const qr = alice.page.getByRole('img', { name: 'Room QR code' });
  await expect(qr).toBeVisible();
  // Read back as a phone would see it: the image as drawn, decoded by a QR reader.
  const size = 300;
  const pixels = await qr.evaluate((img: HTMLImageElement, side) => {
    const canvas = document.createElement('canvas');
    canvas.width = side;
    canvas.height = side;
    const context = canvas.getContext('2d')!;
    context.fillStyle = '#fff';
    context.fillRect(0, 0, side, side);
    context.drawImage(img, 0, 0, side, side);
    return Array.from(context.getImageData(0, 0, side, side).data);
  }, size);
  expect(jsQR(Uint8ClampedArray.from(pixels), size, size)?.data).toBe(link);
  await alice.page.getByRole('button', { name: 'Copy link' }).click();
  await expect(alice.page.getByText('Link copied.')).toBeVisible();
  expect(await alice.page.evaluate(() => navigator.clipboard.readText())).toBe(link);
  await alice.context.close();
});

test('the app runs under its strict Content-Security-Policy, with integrity on its scripts', async ({ browser }) => {
  const user = await newUser(browser);
  const violations: string[] = [];
  user.page.on('console', (message) => {
    if (/Content Security Policy|integrity/i.test(message.text())) violations.push(message.text());
  });
  const response = await user.page.goto('/');
  expect(response?.headers()['content-security-policy']).toContain("frame-ancestors 'none'");
  await createRoom(user, 'Alice');
  await expect(user.page.getByRole('img', { name: 'Room QR code' })).toBeVisible();
  const csp = await user.page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content');
  expect(csp).toContain("script-src 'self'");
  expect(csp).toContain("default-src 'none'");
  expect(await user.page.locator('script[type="module"][integrity^="sha384-"]').count()).toBe(1);
  expect(violations).toEqual([]);
  await user.context.close();
});

test('the theme follows the system and can be switched; the choice is remembered', async ({ browser }) => {
  const context = await browser.newContext({ colorScheme: 'dark' });
  const page = await context.newPage();
  await page.goto('/');
  const theme = () => page.evaluate(() => document.documentElement.dataset.theme);
  const background = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  expect(await theme()).toBe('dark');
  const darkBackground = await background();
  await page.getByRole('button', { name: 'Theme: system' }).click();
  expect(await theme()).toBe('light');
  expect(await background()).not.toBe(darkBackground);
  await page.reload();
  await expect(page.getByRole('button', { name: 'Theme: light' })).toBeVisible();
  expect(await theme()).toBe('light');
  await page.getByRole('button', { name: 'Sound off' }).click();
  await expect(page.getByRole('button', { name: 'Sound on' })).toHaveAttribute('aria-pressed', 'true');
  await context.close();
});
