/**
 * Sending many messages the way a person does, only faster: runs inside the app's page,
 * writes each text into the "Message" box, presses Enter, and waits until the box is
 * empty again (the composer clears it once session.send returned, i.e. the message is in
 * the log and on the wire). Nothing is bypassed: the composer, the session and the log
 * do what they do for a typed message. Playwright's own fill() and press() would cost
 * tens of milliseconds of round trips per message.
 *
 * Used by the end-to-end tests and the bench (bench/lib/long-chat.ts). Plain JavaScript
 * source, because a transform (tsx's for the bench) may add helpers to a function that
 * do not exist in the page.
 */
import type { Page } from '@playwright/test';

/** Epoch milliseconds each message went into the box, and how long each took until the box was empty again. */
export interface ComposerRun {
  startedAt: number[];
  ms: number[];
}

const SEND_SCRIPT = `async ({ prefix, first, count }) => {
  const inShadow = (host, selector) => {
    const found = host && host.shadowRoot && host.shadowRoot.querySelector(selector);
    if (!found) throw new Error('no ' + selector + ' in ' + (host ? host.localName : 'the page'));
    return found;
  };
  const composer = inShadow(inShadow(document.querySelector('duet-app'), 'duet-chat'), 'duet-composer');
  const box = inShadow(composer, 'textarea#message');
  const send = inShadow(composer, 'button[type="submit"]');
  // A task, not a microtask, so the session's WebCrypto work and the channel can go on.
  const nextTask = () => new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => resolve();
    channel.port2.postMessage(0);
  });
  const run = { startedAt: [], ms: [] };
  for (let i = 0; i < count; i++) {
    const begin = performance.now();
    run.startedAt.push(performance.timeOrigin + begin);
    box.value = prefix + ' ' + (first + i);
    box.dispatchEvent(new Event('input', { bubbles: true, composed: true }));
    box.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true, composed: true, cancelable: true }));
    while (box.value !== '') {
      if (send.disabled || performance.now() - begin > 10000) throw new Error('message ' + (first + i) + ' was not sent');
      await nextTask();
    }
    run.ms.push(performance.now() - begin);
  }
  return run;
}`;

/** Sends "`prefix` `first`" … "`prefix` `first + count − 1`" through `page`'s composer, one after another. */
export function sendThroughComposer(page: Page, messages: { prefix: string; first: number; count: number }): Promise<ComposerRun> {
  return page.evaluate(`(${SEND_SCRIPT})(${JSON.stringify(messages)})`) as Promise<ComposerRun>;
}
