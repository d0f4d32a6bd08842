import { type Browser, type BrowserContext, type Page, expect } from '@playwright/test';

/** One person with their own browser profile (context) and tab. */
export interface User {
  context: BrowserContext;
  page: Page;
  /** Browser dialogs (alert etc.) seen by this user; an XSS would show up here. */
  dialogs: string[];
}

export async function newUser(
  browser: Browser,
  options: { locale?: string; permissions?: string[]; serviceWorkers?: 'allow' | 'block' } = {},
): Promise<User> {
  const context = await browser.newContext({
    permissions: ['camera', 'microphone', ...(options.permissions ?? [])],
    ...(options.locale ? { locale: options.locale } : {}),
    ...(options.serviceWorkers ? { serviceWorkers: options.serviceWorkers } : {}),
  });
  const page = await context.newPage();
  const dialogs: string[] = [];
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  return { context, page, dialogs };
}

export function connectionStatus(page: Page) {
  return page.getByRole('status').filter({ hasNotText: 'Link copied' }).first();
}

/** Creates a room from the lobby; returns the invite link shown. */
export async function createRoom(user: User, name: string, startUrl = '/'): Promise<string> {
  await user.page.goto(startUrl);
  await user.page.getByRole('textbox', { name: 'Your name' }).fill(name);
  await user.page.getByRole('button', { name: 'Create room' }).click();
  await expect(connectionStatus(user.page)).toContainText('Waiting for your peer');
  const link = await user.page.getByRole('link', { name: 'Room link' }).textContent();
  expect(link).toMatch(/^http:\/\/(localhost|127\.0\.0\.1):\d+\/#[A-Za-z0-9_-]{43}$/);
  return link!;
}

/** (Host, waiting) asks for a short code and reads it off the invite. */
export async function getShortCode(user: User): Promise<string> {
  await user.page.getByRole('button', { name: 'Get a short code' }).click();
  const label = user.page.getByLabel('Or read this short code aloud');
  await expect(label).toHaveText(/^\s*\d{1,4}-[a-z]+-[a-z]+\s*$/);
  return ((await label.textContent()) ?? '').trim();
}

export async function joinByLink(user: User, link: string, name: string): Promise<void> {
  await user.page.goto(link);
  await user.page.getByRole('textbox', { name: 'Your name' }).fill(name);
  await user.page.getByRole('button', { name: 'Join' }).click();
}

export async function joinByCode(user: User, code: string, name: string, startUrl = '/'): Promise<void> {
  await user.page.goto(startUrl);
  await user.page.getByRole('textbox', { name: 'Your name' }).fill(name);
  await user.page.getByRole('textbox', { name: 'Room code' }).fill(code);
  await user.page.getByRole('button', { name: 'Join' }).click();
}

export async function expectSecure(user: User, peerName: string): Promise<string> {
  await expect(connectionStatus(user.page)).toContainText(`Secure: end-to-end encrypted with ${peerName}`);
  const code = (await user.page.getByLabel('Safety code').textContent())?.trim() ?? '';
  expect(code).toMatch(/^\d{5}( \d{5}){5}$/);
  return code;
}

export async function send(user: User, text: string): Promise<void> {
  const box = user.page.getByRole('textbox', { name: 'Message' });
  await box.fill(text);
  await user.page.getByRole('button', { name: 'Send' }).click();
  await expect(box).toHaveValue('');
}

/** Two people in a secure conversation; returns both users and their (equal) safety code. */
export async function securePair(browser: Browser, names: [string, string] = ['Alice', 'Bruno'], startUrl = '/') {
  const alice = await newUser(browser);
  const bruno = await newUser(browser);
  const link = await createRoom(alice, names[0], startUrl);
  await joinByLink(bruno, link, names[1]);
  const [a, b] = await Promise.all([expectSecure(alice, names[1]), expectSecure(bruno, names[0])]);
  expect(a).toBe(b);
  return { alice, bruno, link, safetyCode: a };
}
