/**
 * Getting attention while the tab is hidden (src/ui/attention.ts): the unread count
 * in the title, and desktop notifications that are asked for only when the person
 * opts in and never carry the message text.
 *
 * The tab is "hidden" by overriding document.hidden / visibilityState and firing
 * visibilitychange, which is what attention.ts listens to. window.Notification is
 * replaced before the app loads by a spy that records what would be shown.
 */
import { type Browser, type Page, expect, test } from '@playwright/test';
import { createRoom, expectSecure, joinByLink, newUser, securePair, send, type User } from './users.ts';

interface NotificationRecord {
  created: { title: string; body?: string; tag?: string }[];
  requests: number;
}

async function setHidden(page: Page, hidden: boolean): Promise<void> {
  await page.evaluate((hidden) => {
    Object.defineProperty(document, 'hidden', { configurable: true, get: () => hidden });
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => (hidden ? 'hidden' : 'visible') });
    document.dispatchEvent(new Event('visibilitychange'));
  }, hidden);
}

/**
 * Replaces window.Notification with a recorder. With `permission`, that is the
 * permission it reports until requestPermission() (which then grants); without,
 * it reports the browser's real permission.
 */
async function spyOnNotifications(user: User, permission?: NotificationPermission): Promise<void> {
  await user.context.addInitScript((permission: NotificationPermission | null) => {
    const real = window.Notification;
    const record = { created: [] as { title: string; body?: string; tag?: string }[], requests: 0 };
    let state = permission;
    const Spy = function (this: unknown, title: string, options?: NotificationOptions) {
      record.created.push({ title, body: options?.body, tag: options?.tag });
    } as unknown as { permission: NotificationPermission; requestPermission: () => Promise<NotificationPermission> };
    Object.defineProperty(Spy, 'permission', { get: () => state ?? real.permission });
    Spy.requestPermission = async () => {
      record.requests++;
      if (state) state = 'granted';
      return state ?? real.permission;
    };
    Object.defineProperty(window, 'Notification', { configurable: true, writable: true, value: Spy });
    Object.defineProperty(window, '__notifications', { value: record });
  }, permission ?? null);
}

/** Alice (who may allow notifications, with a spy installed before the app loads) and Bruno, connected. */
async function pairWithSpy(browser: Browser, options: { permissions?: string[]; permission?: NotificationPermission } = {}) {
  const alice = await newUser(browser, { permissions: options.permissions });
  const bruno = await newUser(browser);
  await spyOnNotifications(alice, options.permission);
  const link = await createRoom(alice, 'Alice');
  await joinByLink(bruno, link, 'Bruno');
  await Promise.all([expectSecure(alice, 'Bruno'), expectSecure(bruno, 'Alice')]);
  return { alice, bruno };
}

const notifications = (page: Page) => page.evaluate(() => (window as unknown as { __notifications: NotificationRecord }).__notifications);

test('the title counts unread messages while the tab is hidden and clears when it is shown', async ({ browser }) => {
  const { alice, bruno } = await securePair(browser);
  await expect(alice.page).toHaveTitle('Duet');

  await setHidden(alice.page, true);
  await send(bruno, 'first');
  await expect(alice.page).toHaveTitle('(1) Duet');
  await send(bruno, 'second');
  await expect(alice.page).toHaveTitle('(2) Duet');
  // Alice's own messages and Bruno's visible tab change nothing.
  await send(alice, 'from the hidden tab');
  await expect(bruno.page.getByRole('log')).toContainText('from the hidden tab');
  await expect(bruno.page).toHaveTitle('Duet');
  await expect(alice.page).toHaveTitle('(2) Duet');

  await setHidden(alice.page, false);
  await expect(alice.page).toHaveTitle('Duet');
  // Messages read while visible never count.
  await send(bruno, 'third');
  await expect(alice.page.getByRole('log')).toContainText('third');
  await expect(alice.page).toHaveTitle('Duet');
  await alice.context.close();
  await bruno.context.close();
});

test('with permission granted, a hidden tab gets a notification that names the sender but not the text', async ({ browser }) => {
  const { alice, bruno } = await pairWithSpy(browser, { permissions: ['notifications'] });
  expect(await alice.page.evaluate(() => Notification.permission)).toBe('granted');
  // Already allowed: nothing is asked, nothing is offered.
  await send(bruno, 'visible, so no notification');
  await expect(alice.page.getByRole('log')).toContainText('visible, so no notification');
  await expect(alice.page.getByRole('button', { name: 'Notify me' })).toHaveCount(0);
  expect(await notifications(alice.page)).toEqual({ created: [], requests: 0 });

  await setHidden(alice.page, true);
  await send(bruno, 'the secret plan');
  await expect(alice.page).toHaveTitle('(1) Duet');
  await expect.poll(async () => (await notifications(alice.page)).created).toEqual([
    { title: 'New message from Bruno', body: 'Open Duet to read it.', tag: 'duet-message' },
  ]);
  await send(bruno, 'more secrets');
  await expect.poll(async () => (await notifications(alice.page)).created.length).toBe(2);
  const record = await notifications(alice.page);
  expect(record.created[1]).toEqual({ title: '2 new messages from Bruno', body: 'Open Duet to read them.', tag: 'duet-message' });
  expect(JSON.stringify(record)).not.toMatch(/secret/);
  expect(record.requests).toBe(0);
  await alice.context.close();
  await bruno.context.close();
});

test('permission is not asked on load: "Notify me" is offered after the first message, and only a click asks', async ({ browser }) => {
  const { alice, bruno } = await pairWithSpy(browser, { permission: 'default' });
  const notifyMe = alice.page.getByRole('button', { name: 'Notify me' });
  await expect(alice.page.getByRole('log')).toBeVisible();
  await expect(notifyMe).toHaveCount(0);
  expect(await notifications(alice.page)).toEqual({ created: [], requests: 0 });

  await send(bruno, 'hello');
  await expect(notifyMe).toBeVisible();
  await expect(alice.page.getByText('Want to know when a message arrives while this tab is in the background?')).toBeVisible();
  expect((await notifications(alice.page)).requests).toBe(0);
  // Not allowed yet: a hidden tab gets the title badge, no notification.
  await setHidden(alice.page, true);
  await send(bruno, 'while hidden');
  await expect(alice.page).toHaveTitle('(1) Duet');
  expect((await notifications(alice.page)).created).toEqual([]);
  await setHidden(alice.page, false);

  await notifyMe.click();
  await expect(notifyMe).toHaveCount(0);
  expect((await notifications(alice.page)).requests).toBe(1);

  await setHidden(alice.page, true);
  await send(bruno, 'now you know');
  await expect.poll(async () => (await notifications(alice.page)).created).toEqual([
    { title: 'New message from Bruno', body: 'Open Duet to read it.', tag: 'duet-message' },
  ]);
  await alice.context.close();
  await bruno.context.close();
});

test('the title badge and the notification follow the language', async ({ browser }) => {
  const { alice, bruno } = await pairWithSpy(browser, { permissions: ['notifications'] });
  await alice.page.getByRole('combobox', { name: 'Language' }).selectOption('pt-BR');
  await setHidden(alice.page, true);
  await send(bruno, 'um');
  await send(bruno, 'dois');
  await expect(alice.page).toHaveTitle('(2) Duet');
  await expect.poll(async () => (await notifications(alice.page)).created.at(-1)).toEqual({
    title: '2 novas mensagens de Bruno',
    body: 'Abra o Duet para lê-las.',
    tag: 'duet-message',
  });
  await alice.context.close();
  await bruno.context.close();
});
