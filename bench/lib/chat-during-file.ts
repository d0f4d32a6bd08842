/**
 * Chat first (#20): the one-way time of a chat message through the real app, from
 * Alice's click on Send to the text in Bruno's log, while Alice sends Bruno a 64 MiB
 * file, against the same with nothing else going on. Both times are the pages' own
 * clocks (performance.timeOrigin + now(), one machine): the click is noted by a
 * capture listener on Alice's page, the arrival by a MutationObserver on the log's
 * shadow root on Bruno's, so nothing polls either page while it works.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from '@playwright/test';
import { appConversation, offerFile, settle } from './app-pages.ts';
import { type Summary, summarize } from './stats.ts';

export interface ChatDuringFileResults {
  fileMiB: number;
  /** One-way, Send click → Bruno's log, with no transfer. */
  idleMs: Summary;
  /** The same while the file is transferring (samples whose message arrived before the file was complete). */
  duringFileMs: Summary;
  /** The transfer itself, Accept → Save link, with the messages going on. */
  transferSeconds: number;
}

/** Alice's page: when the last click happened (Send's, here). */
const CLICK_WATCH = `() => {
  window.addEventListener('click', () => { window.__clickAt = performance.timeOrigin + performance.now(); }, { capture: true });
}`;

/**
 * Bruno's page: window.__expectText(text) starts watching the log for `text`; window.__arrived()
 * resolves with when it showed. The log (role="log") is found through the open shadow roots.
 */
const ARRIVAL_WATCH = `() => {
  const findLog = (root) => {
    const direct = root.querySelector('[role="log"]');
    if (direct) return direct;
    for (const element of root.querySelectorAll('*')) {
      if (element.shadowRoot) {
        const found = findLog(element.shadowRoot);
        if (found) return found;
      }
    }
    return undefined;
  };
  let waiting;
  window.__expectText = (text) => {
    const log = findLog(document);
    let resolve;
    const arrived = new Promise((r) => (resolve = r));
    const observer = new MutationObserver(() => {
      if (log.textContent.includes(text)) {
        observer.disconnect();
        resolve(performance.timeOrigin + performance.now());
      }
    });
    observer.observe(log.getRootNode(), { childList: true, subtree: true, characterData: true });
    waiting = arrived;
  };
  window.__arrived = () => waiting;
}`;

async function oneWay(alice: Page, bruno: Page, text: string): Promise<number> {
  await bruno.evaluate(`window.__expectText(${JSON.stringify(text)})`);
  await alice.getByRole('textbox', { name: 'Message' }).fill(text);
  await alice.getByRole('button', { name: 'Send' }).click();
  const arrivedAt = (await bruno.evaluate('window.__arrived()')) as number;
  const clickAt = (await alice.evaluate('window.__clickAt')) as number;
  return arrivedAt - clickAt;
}

export async function chatDuringFile(browser: Browser, appUrl: string, log: (line: string) => void, samples: number): Promise<ChatDuringFileResults> {
  const fileMiB = 64;
  const folder = mkdtempSync(path.join(os.tmpdir(), 'duet-bench-'));
  const file = path.join(folder, 'chat-during-file.bin');
  writeFileSync(file, randomBytes(fileMiB * 1024 * 1024));
  const { alice, bruno, close } = await appConversation(browser, appUrl);
  try {
    await alice.page.evaluate(`(${CLICK_WATCH})()`);
    await bruno.page.evaluate(`(${ARRIVAL_WATCH})()`);
    await settle();

    const idle: number[] = [];
    await oneWay(alice.page, bruno.page, 'warm-up'); // unrecorded
    for (let i = 0; i < samples; i++) idle.push(await oneWay(alice.page, bruno.page, `idle message [${i}]`));

    const card = await offerFile(alice.page, bruno.page, file);
    await card.getByRole('button', { name: 'Accept' }).click();
    const started = performance.now();
    const save = card.getByRole('link', { name: 'Save' });
    const during: number[] = [];
    for (let i = 0; i < samples; i++) {
      const ms = await oneWay(alice.page, bruno.page, `message during the file [${i}]`);
      // Only while the file is still on its way: a message after its end measures nothing here.
      if ((await save.count()) > 0) break;
      during.push(ms);
    }
    await save.waitFor({ timeout: 300_000 });
    const transferSeconds = (performance.now() - started) / 1000;
    log(`  ${during.length} messages during the transfer (${fileMiB} MiB in ${transferSeconds.toFixed(1)} s)`);
    return { fileMiB, idleMs: summarize(idle), duringFileMs: summarize(during), transferSeconds };
  } finally {
    await close();
    rmSync(folder, { recursive: true, force: true });
  }
}
