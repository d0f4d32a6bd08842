import { type Page, expect, test } from '@playwright/test';
import { sendThroughComposer } from './composer-in-page.ts';
import { securePair, send } from './users.ts';

/** What duet-message-list keeps rendered while following the conversation (src/ui/log-window.ts). */
const WINDOW_ITEMS = 300;
const EARLIER_PAGE = 200;
const MESSAGES = 3000;
/** A 1×1 PNG. */
const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';

/** Whether the page can still load an image from a blob: URL (a revoked one fails; the app's CSP allows blob: images). */
function readable(page: Page, url: string): Promise<boolean> {
  return page.evaluate(
    (blobUrl) =>
      new Promise<boolean>((resolve) => {
        const image = new Image();
        image.onload = () => resolve(true);
        image.onerror = () => resolve(false);
        image.src = blobUrl;
      }),
    url,
  );
}

// Tall enough for the whole chat (safety code, log, composer): "visible" then means in the log's view.
test.use({ viewport: { width: 1280, height: 1000 } });

test('a 3,000-message conversation: the log shows a window of the newest, earlier ones on request, and still announces and follows new messages', async ({
  browser,
}) => {
  test.setTimeout(240_000);
  const { alice, bruno } = await securePair(browser);
  const brunoLog = bruno.page.getByRole('log');
  const aliceLog = alice.page.getByRole('log');

  // First an image, so the history holds a file card with an object URL among the messages.
  await alice.page.locator('duet-chat').evaluate((chat, base64) => {
    const transfer = new DataTransfer();
    transfer.items.add(new File([Uint8Array.from(atob(base64), (c) => c.charCodeAt(0))], 'dot.png', { type: 'image/png' }));
    chat.dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }));
  }, PNG);
  const card = brunoLog.getByRole('listitem').filter({ hasText: 'dot.png' });
  await card.getByRole('button', { name: 'Accept' }).click();
  const preview = card.getByRole('img', { name: 'Preview of dot.png' });
  await expect(preview).toBeVisible();
  const firstUrl = (await preview.getAttribute('src'))!;
  expect(await readable(bruno.page, firstUrl)).toBe(true);

  // Through Alice's real composer, one after another.
  await sendThroughComposer(alice.page, { prefix: 'bulk', first: 0, count: MESSAGES });
  const newest = `bulk ${MESSAGES - 1}`;
  await expect(brunoLog.getByText(newest, { exact: true })).toBeInViewport();
  await expect(aliceLog.getByText(newest, { exact: true })).toBeInViewport();
  await expect(aliceLog.locator('li.me').last()).toContainText('Delivered');

  // Only the window is in the page.
  await expect(brunoLog.getByRole('listitem')).toHaveCount(WINDOW_ITEMS);
  await expect(aliceLog.getByRole('listitem')).toHaveCount(WINDOW_ITEMS);
  await expect(brunoLog.getByText('bulk 0', { exact: true })).toHaveCount(0);
  // The image's card left the window: its object URL was released.
  await expect(card).toHaveCount(0);
  expect(await readable(bruno.page, firstUrl)).toBe(false);
  await expect(brunoLog.getByRole('listitem').first()).toContainText(`bulk ${MESSAGES - WINDOW_ITEMS}`);
  // The items that left the window left nothing behind in the list (lit-html 3.3.3's repeat
  // kept one comment node per item it removed, so each message restyled a list that grew
  // with the whole conversation: patches/lit-html+3.3.3.patch). An item is its element and
  // Lit's two markers.
  for (const log of [aliceLog, brunoLog]) {
    expect(await log.locator('ol').evaluate((list) => list.childNodes.length)).toBeLessThan(4 * WINDOW_ITEMS);
  }
  // Bruno was at the bottom all along: nothing to catch up on.
  await expect(bruno.page.getByRole('button', { name: 'New messages' })).toHaveCount(0);

  // "Show earlier messages" brings older ones back, a page at a time, down to the first.
  const earlier = bruno.page.getByRole('button', { name: 'Show earlier messages' });
  await earlier.click();
  await expect(brunoLog.getByRole('listitem')).toHaveCount(WINDOW_ITEMS + EARLIER_PAGE);
  await expect(brunoLog.getByRole('listitem').first()).toContainText(`bulk ${MESSAGES - WINDOW_ITEMS - EARLIER_PAGE}`);
  while ((await earlier.count()) > 0) await earlier.click();
  await expect(brunoLog.getByRole('listitem')).toHaveCount(MESSAGES + 1);
  await expect(brunoLog.getByRole('listitem').first()).toContainText('Alice');
  await expect(brunoLog.getByText('bulk 0', { exact: true })).toBeVisible();
  // The card is back, before the messages sent after it, with a preview that loads again.
  await expect(brunoLog.getByRole('listitem').first()).toContainText('dot.png');
  await expect(preview).toBeVisible();
  expect(await readable(bruno.page, (await preview.getAttribute('src'))!)).toBe(true);

  // Reading far up the log, a new message does not move Bruno: it goes into the log
  // region (which a screen reader hears, politely), and "New messages" takes him to it.
  await brunoLog.getByText('bulk 0', { exact: true }).scrollIntoViewIfNeeded();
  await expect(brunoLog).toHaveAttribute('aria-live', 'polite');
  await send(alice, 'while Bruno reads back');
  await expect(brunoLog.getByText('while Bruno reads back')).toHaveCount(1);
  await expect(brunoLog.getByText('while Bruno reads back')).not.toBeInViewport();
  await expect(brunoLog.getByText('bulk 0', { exact: true })).toBeInViewport();
  const jump = bruno.page.getByRole('button', { name: 'New messages' });
  await jump.click();
  await expect(brunoLog.getByText('while Bruno reads back')).toBeInViewport();
  await expect(jump).toHaveCount(0);

  // Back at the bottom, the log follows again, and gives up what scrolled far away.
  await send(alice, 'and one more');
  await expect(brunoLog.getByText('and one more')).toBeInViewport();
  await expect(brunoLog.getByRole('listitem')).toHaveCount(WINDOW_ITEMS);
  await expect(bruno.page.getByRole('button', { name: 'New messages' })).toHaveCount(0);

  // Bruno's own message, sent while he was up the log, takes him to the bottom.
  await earlier.click();
  await brunoLog.getByRole('listitem').first().scrollIntoViewIfNeeded();
  await send(bruno, 'Bruno answers');
  await expect(brunoLog.getByText('Bruno answers')).toBeInViewport();
  await expect(aliceLog.getByText('Bruno answers')).toBeInViewport();

  // Following again, a message at the end of a full window costs what it costs in a short
  // log: the list gains its item and drops the oldest (no other item is touched), the items
  // are laid out in block flow (a flex column measures every item again) and each contains
  // its own painting (otherwise every item is repainted each frame).
  await expect(brunoLog.locator('li.me').last()).toContainText('Delivered');
  await brunoLog.locator('ol').evaluate((list) => {
    const counted = { added: 0, removed: 0, other: 0 };
    const observer = new MutationObserver((records) => {
      for (const record of records) {
        if (record.target !== list) counted.other += 1;
        // Elements only: Lit's comment markers come and go with each item.
        counted.added += [...record.addedNodes].filter((node) => node.nodeType === Node.ELEMENT_NODE).length;
        counted.removed += [...record.removedNodes].filter((node) => node.nodeType === Node.ELEMENT_NODE).length;
      }
    });
    observer.observe(list, { childList: true, subtree: true, attributes: true, characterData: true });
    (window as unknown as { __stopCounting: () => typeof counted }).__stopCounting = () => (observer.disconnect(), counted);
  });
  await sendThroughComposer(alice.page, { prefix: 'one more', first: 0, count: 1 });
  await expect(brunoLog.getByText('one more 0', { exact: true })).toBeInViewport();
  await expect(brunoLog.getByRole('listitem')).toHaveCount(WINDOW_ITEMS);
  const counted = await bruno.page.evaluate(() => (window as unknown as { __stopCounting: () => { added: number; removed: number; other: number } }).__stopCounting());
  expect(counted).toEqual({ added: 1, removed: 1, other: 0 });
  const layout = await brunoLog.locator('li').last().evaluate((item) => ({ list: getComputedStyle(item.parentElement!).display, contain: getComputedStyle(item).contain }));
  expect(layout.list).toBe('block');
  expect(layout.contain).toContain('paint');
});
