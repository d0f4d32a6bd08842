import { expect, test } from '@playwright/test';
import { type User, connectionStatus, expectSecure, newUser, send } from './users.ts';

async function start(user: User, name: string, remember: boolean, link?: string): Promise<string> {
  await user.page.goto(link ?? '/');
  await user.page.getByRole('textbox', { name: 'Your name' }).fill(name);
  const box = user.page.getByRole('checkbox', { name: 'Remember me on this device' });
  if (remember) await box.check();
  else await box.uncheck();
  if (link) {
    await user.page.getByRole('button', { name: 'Join' }).click();
    return link;
  }
  await user.page.getByRole('button', { name: 'Create room' }).click();
  await expect(connectionStatus(user.page)).toContainText('Waiting for your peer');
  return (await user.page.getByRole('link', { name: 'Room link' }).textContent()) ?? '';
}

test('a remembered peer is recognised, and a changed device key is a warning before any message', async ({ browser }) => {
  const alice = await newUser(browser);
  const bruno = await newUser(browser);

  // First meeting: both remember their devices.
  let link = await start(alice, 'Alice', true);
  await start(bruno, 'Bruno', true, link);
  await Promise.all([expectSecure(alice, 'Bruno'), expectSecure(bruno, 'Alice')]);
  await expect(alice.page.getByText('First conversation with Bruno on this device')).toBeVisible();
  await alice.page.getByRole('button', { name: 'Mark as verified' }).click();
  await expect(alice.page.getByText('✓ Verified')).toBeVisible();
  await alice.page.getByRole('button', { name: 'Leave' }).click();
  await expect(connectionStatus(bruno.page)).toContainText('Alice left');

  // Second meeting, same two devices: recognised, and remembered as verified.
  await alice.page.getByRole('button', { name: 'New conversation' }).click();
  await expect(alice.page.getByRole('checkbox', { name: 'Remember me on this device' })).toBeChecked();
  await expect(alice.page.getByText('This device is remembered')).toBeVisible();
  link = await start(alice, 'Alice', true);
  await start(bruno, 'Bruno', true, link);
  await Promise.all([expectSecure(alice, 'Bruno'), expectSecure(bruno, 'Alice')]);
  await expect(alice.page.getByText('You have talked with Bruno on this device before, and verified them')).toBeVisible();
  await expect(bruno.page.getByText('You have talked with Alice on this device before')).toBeVisible();
  await alice.page.getByRole('button', { name: 'Leave' }).click();

  // Someone else calling themselves Bruno, from another device: warned before any message shows.
  const impostor = await newUser(browser);
  await alice.page.getByRole('button', { name: 'New conversation' }).click();
  link = await start(alice, 'Alice', true);
  await start(impostor, 'Bruno', true, link);
  await expectSecure(impostor, 'Alice');
  await expect(alice.page.getByRole('alert')).toContainText('[identity-changed]');
  await send(impostor, 'trust me, it is really Bruno');
  await expect(alice.page.getByRole('log')).toHaveCount(0);
  await expect(alice.page.getByRole('textbox', { name: 'Message' })).toBeDisabled();
  await expect(alice.page.getByText('trust me')).toHaveCount(0);
  await alice.page.getByRole('button', { name: 'Show messages anyway' }).click();
  await expect(alice.page.getByRole('log')).toContainText('trust me, it is really Bruno');

  // Forget this device: the identity and the known peers are gone.
  await alice.page.getByRole('button', { name: 'Leave' }).click();
  await alice.page.getByRole('button', { name: 'New conversation' }).click();
  await alice.page.getByRole('button', { name: 'Forget this device' }).click();
  await expect(alice.page.getByText('This device is remembered')).toHaveCount(0);
  await expect(alice.page.getByRole('checkbox', { name: 'Remember me on this device' })).not.toBeChecked();
  const stored = await alice.page.evaluate(
    () =>
      new Promise<number>((resolve, reject) => {
        const open = indexedDB.open('duet-device');
        open.onsuccess = () => {
          const request = open.result.transaction('peers').objectStore('peers').count();
          request.onsuccess = () => resolve(request.result);
          request.onerror = () => reject(request.error);
        };
      }),
  );
  expect(stored).toBe(0);
  for (const user of [alice, bruno, impostor]) await user.context.close();
});

test('without "Remember me" nothing is stored and no device key is sent', async ({ browser }) => {
  const alice = await newUser(browser);
  const bruno = await newUser(browser);
  const link = await start(alice, 'Alice', false);
  await start(bruno, 'Bruno', false, link);
  await Promise.all([expectSecure(alice, 'Bruno'), expectSecure(bruno, 'Alice')]);
  await expect(alice.page.getByText('device key')).toHaveCount(0);
  const databases = await alice.page.evaluate(async () => (await indexedDB.databases()).map((d) => d.name));
  expect(databases).not.toContain('duet-device');
  for (const user of [alice, bruno]) await user.context.close();
});
