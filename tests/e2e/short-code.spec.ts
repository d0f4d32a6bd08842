import { expect, test } from '@playwright/test';
import { connectionStatus, createRoom, expectSecure, joinByCode, newUser, send } from './users.ts';

test('a short code read aloud joins the room, through the PAKE', async ({ browser }) => {
  const alice = await newUser(browser);
  const bruno = await newUser(browser);
  await createRoom(alice, 'Alice');
  const shortCode = (await alice.page.getByLabel('Or read this short code aloud').textContent())?.trim() ?? '';
  expect(shortCode).toMatch(/^\d{1,4}-[a-z]+-[a-z]+$/);

  // Typed the way people type what they hear.
  await joinByCode(bruno, shortCode.replace(/-/g, ' ').toUpperCase(), 'Bruno');
  const [a, b] = await Promise.all([expectSecure(alice, 'Bruno'), expectSecure(bruno, 'Alice')]);
  expect(a).toBe(b);
  await send(bruno, 'joined with words');
  await expect(alice.page.getByRole('log')).toContainText('joined with words');
  await alice.context.close();
  await bruno.context.close();
});

test('a wrong short code ends the room on both sides, and the right one no longer works', async ({ browser }) => {
  const alice = await newUser(browser);
  const mallory = await newUser(browser);
  await createRoom(alice, 'Alice');
  const shortCode = (await alice.page.getByLabel('Or read this short code aloud').textContent())?.trim() ?? '';
  const [nameplate, first] = shortCode.split('-');
  const wrong = `${nameplate}-${first}-${first === 'zoo' ? 'abandon' : 'zoo'}`;

  await joinByCode(mallory, wrong, 'Mallory');
  for (const user of [alice, mallory]) {
    await expect(connectionStatus(user.page)).toContainText('The code did not match');
    await expect(connectionStatus(user.page)).toContainText('[code-mismatch]');
    await expect(user.page.getByRole('log')).toHaveCount(0);
  }

  // One guess per room: the room is gone, even for the right code.
  const bruno = await newUser(browser);
  await joinByCode(bruno, shortCode, 'Bruno');
  await expect(connectionStatus(bruno.page)).toContainText('[room-not-found]');
  for (const user of [alice, mallory, bruno]) await user.context.close();
});
