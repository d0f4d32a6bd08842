import { createHash, randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { type Page, expect, test } from '@playwright/test';
import { expectNoViolations } from './axe.ts';
import { type User, securePair, send } from './users.ts';

const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');

/** Writes `size` random bytes to a file in the test's output folder; returns its path and bytes. */
async function randomFile(path: string, size: number): Promise<Buffer> {
  const data = randomBytes(size);
  await writeFile(path, data);
  return data;
}

/** Picks a file with the "Attach file" button, as a person would in the file dialog. */
async function attach(user: User, path: string): Promise<void> {
  const chooser = user.page.waitForEvent('filechooser');
  await user.page.getByRole('button', { name: 'Attach file' }).click();
  await (await chooser).setFiles(path);
}

function fileCard(page: Page, name: string) {
  return page.getByRole('log').getByRole('listitem').filter({ hasText: name });
}

test('a 5 MiB file arrives byte-identical after the receiver accepts, with progress on both sides', async ({ browser }, testInfo) => {
  const { alice, bruno } = await securePair(browser);
  const path = testInfo.outputPath('holiday-video.bin');
  const data = await randomFile(path, 5 * 1024 * 1024);

  await attach(alice, path);
  const offer = fileCard(bruno.page, 'holiday-video.bin');
  await expect(offer).toContainText('5.2 MB');
  await expect(offer).toContainText('Alice');
  // Both sides show the transfer with a progress bar before any data flows.
  await expect(offer.getByRole('progressbar', { name: 'Transfer of holiday-video.bin' })).toBeVisible();
  await expect(fileCard(alice.page, 'holiday-video.bin').getByRole('progressbar')).toBeVisible();
  await expect(fileCard(alice.page, 'holiday-video.bin')).toContainText('Waiting for Bruno to accept');

  await expectNoViolations(bruno.page, 'chat with a file offer');
  await offer.getByRole('button', { name: 'Accept' }).click();
  const save = offer.getByRole('link', { name: 'Save' });
  await expect(save).toBeVisible();
  await expect(offer).toContainText('Checksum verified');
  await expect(fileCard(alice.page, 'holiday-video.bin')).toContainText('Delivered');

  const [download] = await Promise.all([bruno.page.waitForEvent('download'), save.click()]);
  expect(download.suggestedFilename()).toBe('holiday-video.bin');
  const saved = await readFile(await download.path());
  expect(saved.length).toBe(data.length);
  expect(sha256(saved)).toBe(sha256(data));

  await alice.context.close();
  await bruno.context.close();
});

test('an image dropped on the chat arrives with a preview; a declined file sends nothing', async ({ browser }) => {
  const { alice, bruno } = await securePair(browser);
  // A 1×1 PNG, dropped onto Bruno's conversation like a file dragged from the desktop.
  const png = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';
  await bruno.page.locator('duet-chat').evaluate((chat, base64) => {
    const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
    const transfer = new DataTransfer();
    transfer.items.add(new File([bytes], 'dot.png', { type: 'image/png' }));
    for (const type of ['dragover', 'drop']) chat.dispatchEvent(new DragEvent(type, { dataTransfer: transfer, bubbles: true, cancelable: true }));
  }, png);
  const offer = fileCard(alice.page, 'dot.png');
  await offer.getByRole('button', { name: 'Accept' }).click();
  await expect(offer.getByRole('img', { name: 'Preview of dot.png' })).toBeVisible();
  await expect(offer.getByRole('link', { name: 'Save' })).toBeVisible();
  for (const colorScheme of ['light', 'dark'] as const) {
    await alice.page.emulateMedia({ colorScheme });
    await expectNoViolations(alice.page, `chat with a received image (${colorScheme})`);
  }

  await bruno.page.locator('duet-chat').evaluate((chat) => {
    const transfer = new DataTransfer();
    transfer.items.add(new File(['secret plans'], 'plans.txt', { type: 'text/plain' }));
    chat.dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }));
  });
  await fileCard(alice.page, 'plans.txt').getByRole('button', { name: 'Decline' }).click();
  await expect(fileCard(bruno.page, 'plans.txt')).toContainText('Alice declined this file.');
  await expect(fileCard(alice.page, 'plans.txt')).toContainText('You declined this file.');
  await expect(fileCard(alice.page, 'plans.txt').getByRole('link', { name: 'Save' })).toHaveCount(0);
  await alice.context.close();
  await bruno.context.close();
});

test('a text message sent during a transfer arrives before it ends; either side can cancel mid-way', async ({ browser }, testInfo) => {
  const { alice, bruno } = await securePair(browser);
  // Large enough that the transfer is still running when the people act (under the
  // size at which Duet would ask where to save it on disk).
  const first = testInfo.outputPath('first.bin');
  const second = testInfo.outputPath('second.bin');
  await randomFile(first, 60 * 1024 * 1024);
  await randomFile(second, 60 * 1024 * 1024);

  await attach(alice, first);
  const incoming = fileCard(bruno.page, 'first.bin');
  await incoming.getByRole('button', { name: 'Accept' }).click();
  // Under way: some data is through.
  await expect(incoming).toContainText(/\b([1-9]\d?)% · /);
  await send(alice, 'a message overtaking the file');
  await expect(bruno.page.getByRole('log')).toContainText('a message overtaking the file');
  // The message arrived while the transfer still runs.
  await expect(incoming.getByRole('link', { name: 'Save' })).toHaveCount(0);
  await expect(incoming.getByRole('progressbar')).toBeVisible();
  // The receiver cancels.
  await incoming.getByRole('button', { name: 'Cancel' }).click();
  await expect(incoming).toContainText('You cancelled this transfer.');
  await expect(fileCard(alice.page, 'first.bin')).toContainText('Bruno cancelled this transfer.');
  await expect(incoming.getByRole('link', { name: 'Save' })).toHaveCount(0);

  // The sender cancels the next one.
  await attach(alice, second);
  const next = fileCard(bruno.page, 'second.bin');
  await next.getByRole('button', { name: 'Accept' }).click();
  const outgoing = fileCard(alice.page, 'second.bin');
  await expect(outgoing).toContainText(/\b([1-9]\d?)% · /);
  await outgoing.getByRole('button', { name: 'Cancel' }).click();
  await expect(outgoing).toContainText('You cancelled this transfer.');
  await expect(next).toContainText('Alice cancelled this transfer.');
  await expect(next.getByRole('link', { name: 'Save' })).toHaveCount(0);

  // The conversation goes on.
  await send(bruno, 'still talking');
  await expect(alice.page.getByRole('log')).toContainText('still talking');
  await alice.context.close();
  await bruno.context.close();
});
