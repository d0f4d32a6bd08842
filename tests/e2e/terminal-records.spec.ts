/**
 * A record altered on the data channel, from either side: the receiver refuses it with
 * record-forged, shows nothing of it, and the conversation goes on. The bit is flipped
 * on its way out of the sender (after encryption), as a meddler on the path would.
 */
import { expect, test } from '@playwright/test';
import { expectSecure, joinByLink, newUser, send } from './users.ts';
import { giveNamespaceAnInterface, startTerminal } from './terminal.ts';

test.describe.configure({ timeout: 180_000 });

test.beforeAll(() => giveNamespaceAnInterface());

/** Long enough that its record is larger than any typing notice, receipt or keepalive. */
const longText = (label: string) => `${label}: ${'the quick brown fox jumps over the lazy dog '.repeat(8)}`;

test('a record tampered with on its way from Chromium is refused by the terminal, and one from the terminal by Chromium', async ({ browser }) => {
  const ana = startTerminal(['--name', 'Ana'], { NODE_OPTIONS: '--import ./tests/e2e/tamper-preload.mjs' });
  const link = (await ana.waitFor(/Room link: (\S+)/))[1]!;
  const bruno = await newUser(browser);
  // Chromium's side of the meddler: the next large record after window.__duetTamper is set.
  await bruno.context.addInitScript(() => {
    const send = RTCDataChannel.prototype.send as (this: RTCDataChannel, data: ArrayBufferView | ArrayBuffer) => void;
    const flags = window as unknown as { __duetTamper?: boolean };
    RTCDataChannel.prototype.send = function (this: RTCDataChannel, data: string | Blob | ArrayBuffer | ArrayBufferView) {
      if (flags.__duetTamper && typeof data !== 'string' && !(data instanceof Blob) && data.byteLength > 200) {
        flags.__duetTamper = false;
        const view = data instanceof ArrayBuffer ? new Uint8Array(data) : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
        const copy = Uint8Array.from(view);
        copy[copy.length - 1]! ^= 0x01;
        return send.call(this, copy);
      }
      return send.call(this, data as ArrayBuffer);
    } as typeof RTCDataChannel.prototype.send;
  });
  await joinByLink(bruno, link, 'Bruno');
  await expectSecure(bruno, 'Ana');
  await ana.waitFor(/Secure: end-to-end encrypted with Bruno/);

  // Chromium → terminal.
  const box = bruno.page.getByRole('textbox', { name: 'Message' });
  await box.fill(longText('forged from Chromium'));
  await bruno.page.evaluate(() => ((window as unknown as { __duetTamper: boolean }).__duetTamper = true));
  await bruno.page.getByRole('button', { name: 'Send' }).click();
  await ana.waitFor(/! A message failed its integrity check and was discarded\. \[record-forged\]/);
  await send(bruno, 'genuine from Chromium');
  await ana.waitFor(/\] Bruno: genuine from Chromium/);
  expect(ana.output()).not.toContain('forged from Chromium');

  // Terminal → Chromium.
  ana.process.kill('SIGUSR2');
  await ana.waitFor(/tamper: armed/);
  ana.type(longText('forged from the terminal'));
  await ana.waitFor(/tamper: flipped a bit/);
  await expect(bruno.page.getByText('[record-forged]')).toBeVisible();
  ana.type('genuine from the terminal');
  await expect(bruno.page.getByRole('log')).toContainText('genuine from the terminal');
  await expect(bruno.page.getByRole('log')).not.toContainText('forged from the terminal');

  await ana.quit();
  await bruno.context.close();
});
