/**
 * Keeps the README's screenshots current: the lobby, an invite with its QR code,
 * and a chat, as two real users see them. Written to docs/screenshots/.
 */
import { expect, test } from '@playwright/test';
import { createRoom, expectSecure, getShortCode, joinByLink, newUser, send } from './users.ts';

const OUT = 'docs/screenshots';

test('README screenshots: lobby, invite with QR code, chat with a photo', async ({ browser }) => {
  const alice = await newUser(browser);
  const bruno = await newUser(browser);
  for (const user of [alice, bruno]) await user.page.setViewportSize({ width: 760, height: 820 });
  await alice.page.goto('/');
  await expect(alice.page.getByRole('button', { name: 'Create room' })).toBeVisible();
  await alice.page.screenshot({ path: `${OUT}/lobby.png` });

  const link = await createRoom(alice, 'Alice');
  await expect(alice.page.getByRole('img', { name: 'Room QR code' })).toBeVisible();
  await getShortCode(alice);
  await alice.page.screenshot({ path: `${OUT}/invite.png`, fullPage: true });

  await joinByLink(bruno, link, 'Bruno');
  await Promise.all([expectSecure(alice, 'Bruno'), expectSecure(bruno, 'Alice')]);
  await send(bruno, 'Olá Alice! Is this really just between us?');
  await send(alice, 'Yes: read me the safety code and we will know for sure.');
  await expect(bruno.page.getByRole('log').locator('li.me')).toContainText('Delivered');
  // A photo, dropped on the chat and accepted, with its preview.
  await alice.page.locator('duet-chat').evaluate(async (chat) => {
    const canvas = new OffscreenCanvas(480, 270);
    const context = canvas.getContext('2d')!;
    const sky = context.createLinearGradient(0, 0, 0, 270);
    sky.addColorStop(0, '#1d3461');
    sky.addColorStop(0.6, '#f28f3b');
    sky.addColorStop(1, '#c8553d');
    context.fillStyle = sky;
    context.fillRect(0, 0, 480, 270);
    context.fillStyle = '#ffd166';
    context.beginPath();
    context.arc(240, 200, 60, 0, Math.PI * 2);
    context.fill();
    const photo = new File([await canvas.convertToBlob({ type: 'image/png' })], 'sunset.png', { type: 'image/png' });
    const transfer = new DataTransfer();
    transfer.items.add(photo);
    chat.dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }));
  });
  const photo = bruno.page.getByRole('log').getByRole('listitem').filter({ hasText: 'sunset.png' });
  await photo.getByRole('button', { name: 'Accept' }).click();
  await expect(photo.getByRole('img', { name: 'Preview of sunset.png' })).toBeVisible();
  await bruno.page.screenshot({ path: `${OUT}/chat.png`, fullPage: true });
  await alice.context.close();
  await bruno.context.close();
});
