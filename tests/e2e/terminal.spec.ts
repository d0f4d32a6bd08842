import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { ERROR_MESSAGES } from '../../src/core/errors.ts';
import { createRoom, expectSecure, getShortCode, joinByLink, newUser, send } from './users.ts';
import { giveNamespaceAnInterface, startTerminal, terminalSafetyCode } from './terminal.ts';

const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');

// Each terminal is a Node process that compiles the app's TypeScript as it starts, and two
// of them send 5 MiB each way: on a loaded two-core machine that takes longer than a page.
test.describe.configure({ timeout: 180_000 });

test.beforeAll(() => giveNamespaceAnInterface());

test('the terminal creates a room, Chromium joins by the link, and they chat both ways with receipts and typing', async ({ browser }) => {
  const ana = startTerminal(['--name', 'Ana']);
  const link = (await ana.waitFor(/Room link: (\S+)/))[1]!;
  expect(link).toMatch(/^http:\/\/localhost:\d+\/#[A-Za-z0-9_-]{43}$/);
  await ana.waitFor(/Short code: \d{1,4}-[a-z]+-[a-z]+/);

  const bruno = await newUser(browser);
  await joinByLink(bruno, link, 'Bruno');
  const browserCode = await expectSecure(bruno, 'Ana');
  await ana.waitFor(/Secure: end-to-end encrypted with Bruno/);
  expect(await terminalSafetyCode(ana)).toBe(browserCode);

  // Half a line, not yet sent: the browser says Ana is typing.
  ana.process.stdin.write('Olá from the ');
  await expect(bruno.page.getByText('Ana is typing…')).toBeVisible();
  ana.type('terminal');
  await expect(bruno.page.getByRole('log')).toContainText('Olá from the terminal');
  await expect(bruno.page.getByText('Ana is typing…')).toHaveCount(0);
  await ana.waitFor(/✓✓ Delivered: Olá from the terminal/);

  await send(bruno, 'Hi Ana, from Chromium');
  await ana.waitFor(/\] Bruno: Hi Ana, from Chromium/);
  await expect(bruno.page.getByRole('log').getByRole('listitem').filter({ hasText: 'Hi Ana, from Chromium' })).toContainText('Delivered');

  await ana.quit();
  await expect(bruno.page.getByRole('status').first()).toContainText('Ana left');
  await bruno.context.close();
});

test('Chromium creates a room and the terminal joins by the short code', async ({ browser }) => {
  const alice = await newUser(browser);
  await createRoom(alice, 'Alice');
  const shortCode = await getShortCode(alice);
  expect(shortCode).toMatch(/^\d{1,4}-[a-z]+-[a-z]+$/);

  const bruno = startTerminal(['--name', 'Bruno', shortCode]);
  const browserCode = await expectSecure(alice, 'Bruno');
  expect(await terminalSafetyCode(bruno)).toBe(browserCode);

  await send(alice, 'typed in the browser');
  await bruno.waitFor(/\] Alice: typed in the browser/);
  bruno.type('typed in the terminal');
  await expect(alice.page.getByRole('log')).toContainText('typed in the terminal');
  await bruno.waitFor(/✓✓ Delivered: typed in the terminal/);

  await alice.page.getByRole('button', { name: 'Leave' }).click();
  await bruno.waitFor(/Alice left/);
  await bruno.quit();
  await alice.context.close();
});

test('two terminals: same safety code, messages with receipts, a 5 MiB file each way byte-identical', async ({}, testInfo) => {
  const anaDir = testInfo.outputPath('ana');
  const brunoDir = testInfo.outputPath('bruno');
  await Promise.all([mkdir(anaDir, { recursive: true }), mkdir(brunoDir, { recursive: true })]);
  const ana = startTerminal(['--name', 'Ana', '--downloads', anaDir]);
  const code = (await ana.waitFor(/Room code: (\S+)/))[1]!;
  const bruno = startTerminal(['--name', 'Bruno', '--downloads', brunoDir, code]);
  const [a, b] = await Promise.all([terminalSafetyCode(ana), terminalSafetyCode(bruno)]);
  expect(a).toBe(b);

  ana.type('hello Bruno');
  await bruno.waitFor(/\] Ana: hello Bruno/);
  await ana.waitFor(/✓✓ Delivered: hello Bruno/);
  bruno.type('hello Ana');
  await ana.waitFor(/\] Bruno: hello Ana/);
  await bruno.waitFor(/✓✓ Delivered: hello Ana/);

  const fromAna = randomBytes(5 * 1024 * 1024);
  const fromBruno = randomBytes(5 * 1024 * 1024);
  await writeFile(testInfo.outputPath('from-ana.bin'), fromAna);
  await writeFile(testInfo.outputPath('from-bruno.bin'), fromBruno);

  ana.type(`/file ${testInfo.outputPath('from-ana.bin')}`);
  await bruno.waitFor(/File 1 from Ana: from-ana\.bin \(5\.2 MB\)\. Type \/accept 1/);
  bruno.type('/accept 1');
  await bruno.waitFor(/File 1 saved as (\S+) \(SHA-256 ([0-9a-f]{64}), checked\)/);
  await ana.waitFor(/File 1 delivered: Bruno checked that it arrived intact/);
  const receivedByBruno = await readFile(join(brunoDir, 'from-ana.bin'));
  expect(sha256(receivedByBruno)).toBe(sha256(fromAna));

  bruno.type(`/file ${testInfo.outputPath('from-bruno.bin')}`);
  await ana.waitFor(/File 2 from Bruno: from-bruno\.bin/);
  ana.type('/accept 2');
  await ana.waitFor(/File 2 saved as/);
  await bruno.waitFor(/File 2 delivered: Ana checked/);
  const receivedByAna = await readFile(join(anaDir, 'from-bruno.bin'));
  expect(sha256(receivedByAna)).toBe(sha256(fromBruno));

  await ana.quit();
  await bruno.waitFor(/Ana left/);
  await bruno.quit();
});

test('a 5 MiB file each way between Chromium and the terminal, byte-identical', async ({ browser }, testInfo) => {
  const downloads = testInfo.outputPath('ana');
  await mkdir(downloads, { recursive: true });
  const ana = startTerminal(['--name', 'Ana', '--downloads', downloads]);
  const link = (await ana.waitFor(/Room link: (\S+)/))[1]!;
  const bruno = await newUser(browser);
  await joinByLink(bruno, link, 'Bruno');
  await expectSecure(bruno, 'Ana');

  const fromBruno = randomBytes(5 * 1024 * 1024);
  await writeFile(testInfo.outputPath('from-chromium.bin'), fromBruno);
  const chooser = bruno.page.waitForEvent('filechooser');
  await bruno.page.getByRole('button', { name: 'Attach file' }).click();
  await (await chooser).setFiles(testInfo.outputPath('from-chromium.bin'));
  await ana.waitFor(/File 1 from Bruno: from-chromium\.bin \(5\.2 MB\)/);
  ana.type('/accept 1');
  await ana.waitFor(/File 1 saved as/);
  const brunoCard = bruno.page.getByRole('log').getByRole('listitem').filter({ hasText: 'from-chromium.bin' });
  await expect(brunoCard).toContainText('Delivered');
  expect(sha256(await readFile(join(downloads, 'from-chromium.bin')))).toBe(sha256(fromBruno));

  const fromAna = randomBytes(5 * 1024 * 1024);
  await writeFile(testInfo.outputPath('from-terminal.bin'), fromAna);
  ana.type(`/file ${testInfo.outputPath('from-terminal.bin')}`);
  const offer = bruno.page.getByRole('log').getByRole('listitem').filter({ hasText: 'from-terminal.bin' });
  await offer.getByRole('button', { name: 'Accept' }).click();
  await expect(offer).toContainText('Checksum verified');
  await ana.waitFor(/File 2 delivered: Bruno checked/);
  const [download] = await Promise.all([bruno.page.waitForEvent('download'), offer.getByRole('link', { name: 'Save' }).click()]);
  expect(sha256(await readFile(await download.path()))).toBe(sha256(fromAna));

  await ana.quit();
});

test('the terminal says what went wrong with the same sentence and code as the browser, and exits with 1', async () => {
  const bruno = startTerminal(['--name', 'Bruno', 'A'.repeat(43)]);
  await bruno.waitFor(/\[room-not-found\]/);
  expect(bruno.output()).toContain(`${ERROR_MESSAGES['room-not-found']} [room-not-found]`);
  await bruno.quit();
  expect(bruno.process.exitCode).toBe(1);
});

test('a browser that vanishes without a goodbye is noticed by the terminal: reconnecting, then given up on', async ({ browser }) => {
  const ana = startTerminal(['--name', 'Ana', '--reconnect-timeout', '20']);
  const link = (await ana.waitFor(/Room link: (\S+)/))[1]!;
  const bruno = await newUser(browser);
  // The page's goodbye on pagehide never runs: the tab closes as if the browser went away.
  await bruno.context.addInitScript(() => window.addEventListener('pagehide', (event) => event.stopImmediatePropagation()));
  await joinByLink(bruno, link, 'Bruno');
  await expectSecure(bruno, 'Ana');
  await ana.waitFor(/Secure: end-to-end encrypted with Bruno/);
  await bruno.context.close();
  await ana.waitFor(/\* Reconnecting to Bruno…/);
  ana.type('written while Bruno is away');
  await ana.waitFor(/\] Ana \(you\): written while Bruno is away/);
  await ana.waitFor(/\[reconnect-failed\]/);
  expect(ana.output()).not.toContain('Bruno left');
  await ana.quit();
});

test('a browser host that vanishes without a goodbye is noticed by the terminal that joined by short code', async ({ browser }) => {
  const alice = await newUser(browser);
  await alice.context.addInitScript(() => window.addEventListener('pagehide', (event) => event.stopImmediatePropagation()));
  await createRoom(alice, 'Alice');
  const shortCode = await getShortCode(alice);
  const bruno = startTerminal(['--name', 'Bruno', '--reconnect-timeout', '20', shortCode]);
  await expectSecure(alice, 'Bruno');
  await bruno.waitFor(/Secure: end-to-end encrypted with Alice/);
  await alice.context.close();
  await bruno.waitFor(/\* Reconnecting to Alice…/);
  await bruno.waitFor(/\[reconnect-failed\]/);
  expect(bruno.output()).not.toContain('Alice left');
  await bruno.quit();
});
