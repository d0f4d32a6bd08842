import { expect, test } from '@playwright/test';
import { expectNoViolations } from './axe.ts';
import { createRoom, joinByLink, expectSecure, newUser, send } from './users.ts';

for (const colorScheme of ['light', 'dark'] as const) {
  test(`lobby, invite and chat have no axe violations (${colorScheme})`, async ({ browser }) => {
    const alice = await newUser(browser);
    const bruno = await newUser(browser);
    await alice.page.emulateMedia({ colorScheme });
    await bruno.page.emulateMedia({ colorScheme });
    await alice.page.goto('/');
    await expectNoViolations(alice.page, 'lobby');
    const link = await createRoom(alice, 'Alice');
    await expect(alice.page.getByRole('img', { name: 'Room QR code' })).toBeVisible();
    await expectNoViolations(alice.page, 'invite');
    await joinByLink(bruno, link, 'Bruno');
    await Promise.all([expectSecure(alice, 'Bruno'), expectSecure(bruno, 'Alice')]);
    await send(bruno, 'hello');
    await expect(alice.page.getByRole('log')).toContainText('hello');
    await expectNoViolations(alice.page, 'chat');
    await alice.context.close();
    await bruno.context.close();
  });
}

test('the whole flow works from the keyboard', async ({ browser }) => {
  const alice = await newUser(browser);
  await alice.page.goto('/');
  const name = alice.page.getByRole('textbox', { name: 'Your name' });
  await expect(name).toBeVisible();
  // From the top of the page, Tab reaches the language, theme and sound switches, then the name.
  await alice.page.keyboard.press('Tab');
  await expect(alice.page.getByRole('combobox', { name: 'Language' })).toBeFocused();
  for (const expected of [/^Theme: /, /^Sound /]) {
    await alice.page.keyboard.press('Tab');
    await expect(alice.page.getByRole('button', { name: expected })).toBeFocused();
  }
  await alice.page.keyboard.press('Tab');
  await expect(name).toBeFocused();
  await alice.page.keyboard.type('Alice');
  await alice.page.keyboard.press('Enter'); // submits: Create room
  await expect(alice.page.getByRole('link', { name: 'Room link' })).toBeVisible();
  await alice.context.close();
});
