import { expect, test } from '@playwright/test';
import { connectionStatus, createRoom, expectSecure, getShortCode, joinByCode, newUser, send } from './users.ts';

test('a short code read aloud joins the room, through the PAKE', async ({ browser }) => {
  const alice = await newUser(browser);
  const bruno = await newUser(browser);
  await createRoom(alice, 'Alice');
  // Only a room that asks gets a short code.
  await expect(alice.page.getByLabel('Or read this short code aloud')).toHaveCount(0);
  const shortCode = await getShortCode(alice);

  // Typed the way people type what they hear.
  await joinByCode(bruno, shortCode.replace(/-/g, ' ').toUpperCase(), 'Bruno');
  const [a, b] = await Promise.all([expectSecure(alice, 'Bruno'), expectSecure(bruno, 'Alice')]);
  expect(a).toBe(b);
  await send(bruno, 'joined with words');
  await expect(alice.page.getByRole('log')).toContainText('joined with words');
  await alice.context.close();
  await bruno.context.close();
});

test('a wrong short code fails the guesser; the host keeps the room, the spent code never works again, and a new one does', async ({ browser }) => {
  const alice = await newUser(browser);
  const mallory = await newUser(browser);
  await createRoom(alice, 'Alice');
  const shortCode = await getShortCode(alice);
  const [nameplate, first] = shortCode.split('-');
  const wrong = `${nameplate}-${first}-${first === 'zoo' ? 'abandon' : 'zoo'}`;

  await joinByCode(mallory, wrong, 'Mallory');
  await expect(connectionStatus(mallory.page)).toContainText('The short code did not match');
  await expect(connectionStatus(mallory.page)).toContainText('[code-mismatch]');
  // The host is still waiting for the real guest, told what happened, with the link as before.
  await expect(alice.page.getByRole('alert')).toContainText('[short-code-guessed]');
  await expect(connectionStatus(alice.page)).toContainText('Waiting for your peer');
  await expect(alice.page.getByRole('button', { name: 'Get a short code' })).toBeVisible();
  for (const user of [alice, mallory]) await expect(user.page.getByRole('log')).toHaveCount(0);

  // One guess per code: the right words with the spent number find no room.
  const bruno = await newUser(browser);
  await joinByCode(bruno, shortCode, 'Bruno');
  await expect(connectionStatus(bruno.page)).toContainText('[room-not-found]');

  // A new code lets the real guest in.
  const next = await getShortCode(alice);
  expect(next).not.toBe(shortCode);
  const carla = await newUser(browser);
  await joinByCode(carla, next, 'Carla');
  const [a, c] = await Promise.all([expectSecure(alice, 'Carla'), expectSecure(carla, 'Alice')]);
  expect(a).toBe(c);
  for (const user of [alice, mallory, bruno, carla]) await user.context.close();
});
