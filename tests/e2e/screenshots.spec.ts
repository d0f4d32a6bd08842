/**
 * Keeps the README's screenshots current: the lobby, an invite with its QR code,
 * and a chat, as two real users see them. Written to docs/screenshots/.
 */
import { expect, test } from '@playwright/test';
import { createRoom, expectSecure, joinByLink, newUser, send } from './users.ts';

const OUT = 'docs/screenshots';

test('README screenshots: lobby, invite with QR code, chat', async ({ browser }) => {
  const alice = await newUser(browser);
  const bruno = await newUser(browser);
  for (const user of [alice, bruno]) await user.page.setViewportSize({ width: 760, height: 820 });
  await alice.page.goto('/');
  await expect(alice.page.getByRole('button', { name: 'Create room' })).toBeVisible();
  await alice.page.screenshot({ path: `${OUT}/lobby.png` });

  const link = await createRoom(alice, 'Alice');
  await expect(alice.page.getByRole('img', { name: 'Room QR code' })).toBeVisible();
  await alice.page.screenshot({ path: `${OUT}/invite.png`, fullPage: true });

  await joinByLink(bruno, link, 'Bruno');
  await Promise.all([expectSecure(alice, 'Bruno'), expectSecure(bruno, 'Alice')]);
  await send(bruno, 'Olá Alice! Is this really just between us?');
  await send(alice, 'Yes: read me the safety code and we will know for sure.');
  await expect(bruno.page.getByRole('log').locator('li.me')).toContainText('Delivered');
  await bruno.page.screenshot({ path: `${OUT}/chat.png`, fullPage: true });
  await alice.context.close();
  await bruno.context.close();
});
