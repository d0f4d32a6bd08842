import { expect, test } from '@playwright/test';
import { sendThroughComposer } from './composer-in-page.ts';
import { securePair, send } from './users.ts';

/** What duet-message-list keeps rendered while following the conversation (src/ui/log-window.ts). */
const WINDOW_ITEMS = 300;
const EARLIER_PAGE = 200;
const MESSAGES = 3000;

// Tall enough for the whole chat (safety code, log, composer): "visible" then means in the log's view.
test.use({ viewport: { width: 1280, height: 1000 } });

test('a 3,000-message conversation: the log shows a window of the newest, earlier ones on request, and still announces and follows new messages', async ({
  browser,
}) => {
  test.setTimeout(240_000);
  const { alice, bruno } = await securePair(browser);
  const brunoLog = bruno.page.getByRole('log');
  const aliceLog = alice.page.getByRole('log');

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
  await expect(brunoLog.getByRole('listitem').first()).toContainText(`bulk ${MESSAGES - WINDOW_ITEMS}`);
  // Bruno was at the bottom all along: nothing to catch up on.
  await expect(bruno.page.getByRole('button', { name: 'New messages' })).toHaveCount(0);

  // "Show earlier messages" brings older ones back, a page at a time, down to the first.
  const earlier = bruno.page.getByRole('button', { name: 'Show earlier messages' });
  await earlier.click();
  await expect(brunoLog.getByRole('listitem')).toHaveCount(WINDOW_ITEMS + EARLIER_PAGE);
  await expect(brunoLog.getByRole('listitem').first()).toContainText(`bulk ${MESSAGES - WINDOW_ITEMS - EARLIER_PAGE}`);
  while ((await earlier.count()) > 0) await earlier.click();
  await expect(brunoLog.getByRole('listitem')).toHaveCount(MESSAGES);
  await expect(brunoLog.getByRole('listitem').first()).toContainText('Alice');
  await expect(brunoLog.getByText('bulk 0', { exact: true })).toBeVisible();

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
});
