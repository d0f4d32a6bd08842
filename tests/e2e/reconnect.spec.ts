/**
 * Nothing lost, nothing stuck: broken peer connections, a restarted signaling
 * server and a reloaded page, with two real browsers.
 */
import { expect, test } from '@playwright/test';
import { type SignalingServer, createSignalingServer } from '../../signaling/server.ts';
import { type User, connectionStatus, expectSecure, securePair } from './users.ts';

function breakConnection(user: User): Promise<void> {
  return user.page.evaluate(() => (window as unknown as { __duet: { simulateConnectionLoss(): void } }).__duet.simulateConnectionLoss());
}

async function typeAndSend(user: User, text: string): Promise<void> {
  const box = user.page.getByRole('textbox', { name: 'Message' });
  await box.fill(text);
  await box.press('Enter');
}

function peerTexts(user: User) {
  return user.page.getByRole('log').locator('li.peer p.text').allTextContents();
}

test('300 messages through three broken connections arrive exactly once, in order, all delivered', async ({ browser }) => {
  test.setTimeout(180_000);
  const { alice, bruno, safetyCode } = await securePair(browser);
  const sent: string[] = [];
  for (let round = 0; round < 3; round++) {
    for (let i = 0; i < 100; i++) {
      const text = `message ${round * 100 + i + 1}`;
      sent.push(text);
      await typeAndSend(alice, text);
      if (i === 40) await breakConnection(round % 2 === 0 ? alice : bruno);
    }
    await expect(connectionStatus(alice.page)).toContainText('Secure', { timeout: 30_000 });
  }
  await expect.poll(() => peerTexts(bruno), { timeout: 60_000 }).toEqual(sent);
  const aliceOwn = alice.page.getByRole('log').locator('li.me');
  await expect(aliceOwn).toHaveCount(300);
  await expect(aliceOwn.filter({ hasText: 'Delivered' })).toHaveCount(300, { timeout: 30_000 });
  // Resumed, not restarted: the same safety code on both sides.
  await expect(alice.page.getByLabel('Safety code')).toHaveText(safetyCode);
  await expect(bruno.page.getByLabel('Safety code')).toHaveText(safetyCode);
  await alice.context.close();
  await bruno.context.close();
});

test('a restarted signaling server does not interrupt a chat, and reconnection goes through the new one', async ({ browser }) => {
  let server: SignalingServer = await createSignalingServer({ port: 0, host: '127.0.0.1', staticDir: 'dist', log: () => {} });
  const port = server.port;
  try {
    const { alice, bruno } = await securePair(browser, ['Alice', 'Bruno'], `http://127.0.0.1:${port}/`);
    await server.close();
    await typeAndSend(alice, 'the server is down');
    await expect(bruno.page.getByRole('log')).toContainText('the server is down');
    server = await createSignalingServer({ port, host: '127.0.0.1', staticDir: 'dist', log: () => {} });

    // Now the direct connection breaks too: both find each other through the new server.
    await breakConnection(bruno);
    await typeAndSend(alice, 'written while reconnecting');
    await expect(connectionStatus(alice.page)).toContainText('Secure', { timeout: 30_000 });
    await expect(connectionStatus(bruno.page)).toContainText('Secure', { timeout: 30_000 });
    await expect(bruno.page.getByRole('log')).toContainText('written while reconnecting');
    await typeAndSend(bruno, 'back');
    await expect(alice.page.getByRole('log')).toContainText('back');
    await alice.context.close();
    await bruno.context.close();
  } finally {
    await server.close();
  }
});

test('a reloaded page rejoins the same room as a new session, with a new safety code', async ({ browser }) => {
  const { alice, bruno, safetyCode } = await securePair(browser);
  await typeAndSend(alice, 'before the reload');
  await expect(bruno.page.getByRole('log')).toContainText('before the reload');

  await bruno.page.reload();
  await expect(connectionStatus(alice.page)).toHaveText('Bruno left', { timeout: 5_000 });
  // The invite was kept for this tab: the reloaded page offers to join again.
  await bruno.page.getByRole('textbox', { name: 'Your name' }).fill('Bruno');
  await bruno.page.getByRole('button', { name: 'Join' }).click();
  const [a, b] = await Promise.all([expectSecure(alice, 'Bruno'), expectSecure(bruno, 'Alice')]);
  expect(a).toBe(b);
  expect(a).not.toBe(safetyCode);
  await expect(alice.page.getByRole('alert')).toContainText('[new-session]');
  // Alice's history stays; the conversation goes on.
  await expect(alice.page.getByRole('log')).toContainText('before the reload');
  await typeAndSend(bruno, 'after the reload');
  await expect(alice.page.getByRole('log')).toContainText('after the reload');
  await alice.context.close();
  await bruno.context.close();
});
