/**
 * Pages for the browser bench: a context of its own per page, and the real app's lobby
 * with a name typed, for the figures measured through the app as people use it.
 */
import path from 'node:path';
import type { Browser, BrowserContext, Locator, Page } from '@playwright/test';

/**
 * Bench pages only: notes (epoch ms) when the page's data channel opened, by wrapping
 * whatever onopen handler is set (simple-peer sets one), so Duet's own work after
 * that moment can be told from WebRTC's connection setup.
 */
export const CHANNEL_OPEN_HOOK = `{
  const property = Object.getOwnPropertyDescriptor(RTCDataChannel.prototype, 'onopen');
  Object.defineProperty(RTCDataChannel.prototype, 'onopen', {
    configurable: true,
    get() { return property.get.call(this); },
    set(handler) {
      property.set.call(this, function (event) {
        window.__channelOpenAt = performance.timeOrigin + performance.now();
        return handler.call(this, event);
      });
    },
  });
}`;

/** A page in a context of its own; `initScript` runs in it before the page's own scripts. */
export async function newPage(browser: Browser, initScript?: string): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ permissions: ['camera', 'microphone'] });
  if (initScript) await context.addInitScript(initScript);
  const page = await context.newPage();
  page.on('pageerror', (error) => console.error(`  page error: ${error.message}`));
  return { context, page };
}

/**
 * The time every page gets between loading and the clock starting, the app's and the
 * baseline's alike (the app's person types a name meanwhile): a page that has just
 * loaded is still busy, and only one side getting that time would skew the ratio.
 */
const SETTLE_MS = 1500;
export const settle = () => new Promise((resolve) => setTimeout(resolve, SETTLE_MS));

/** Alice and Bruno, each in a context of their own, on the app's lobby with their names typed. */
export async function appLobbies(browser: Browser, appUrl: string, initScript?: string): Promise<{ alice: { page: Page }; bruno: { page: Page }; close: () => Promise<void> }> {
  const alice = await newPage(browser, initScript);
  const bruno = await newPage(browser, initScript);
  const close = async () => {
    await alice.context.close();
    await bruno.context.close();
  };
  try {
    await Promise.all([alice.page.goto(appUrl), bruno.page.goto(appUrl)]);
    await alice.page.getByRole('textbox', { name: 'Your name' }).fill('Alice');
    await bruno.page.getByRole('textbox', { name: 'Your name' }).fill('Bruno');
  } catch (error) {
    await close();
    throw error;
  }
  return { alice, bruno, close };
}

/** Alice and Bruno in a secure conversation through the app: she creates the room, he joins by its link. */
export async function appConversation(browser: Browser, appUrl: string, initScript?: string): ReturnType<typeof appLobbies> {
  const lobbies = await appLobbies(browser, appUrl, initScript);
  const { alice, bruno } = lobbies;
  try {
    await alice.page.getByRole('button', { name: 'Create room' }).click();
    const link = (await alice.page.getByRole('link', { name: 'Room link' }).textContent()) ?? '';
    await bruno.page.getByRole('textbox', { name: 'Room code' }).fill(link);
    await bruno.page.getByRole('button', { name: 'Join' }).click();
    await bruno.page.getByText('Secure: end-to-end encrypted with Alice').waitFor();
  } catch (error) {
    await lobbies.close();
    throw error;
  }
  return lobbies;
}

/** Alice attaches `file`; resolves with its card in Bruno's log once its Accept button shows. */
export async function offerFile(alice: Page, bruno: Page, file: string): Promise<Locator> {
  const chooser = alice.waitForEvent('filechooser');
  await alice.getByRole('button', { name: 'Attach file' }).click();
  await (await chooser).setFiles(file);
  const card = bruno.getByRole('log').getByRole('listitem').filter({ hasText: path.basename(file) });
  await card.getByRole('button', { name: 'Accept' }).waitFor();
  return card;
}
