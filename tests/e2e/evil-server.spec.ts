/**
 * The signaling server can neither read nor forge. Each test runs the real app
 * and server behind a proxy that attacks the signaling traffic, and checks that
 * the browsers refuse with a named error and no chat ever appears.
 */
import { type Browser, expect, test } from '@playwright/test';
import { fromBase64Url, toBase64Url } from '../../src/core/bytes.ts';
import { deriveRoomKeys, parseInviteInput } from '../../src/core/invite.ts';
import { PakeParty } from '../../src/core/pake.ts';
import { openSignal, sealSignal } from '../../src/core/signal-seal.ts';
import { type Attack, type EvilServer, type Side, flipBit, startEvilServer } from './evil-server.ts';
import { type User, connectionStatus, createRoom, getShortCode, joinByCode, joinByLink, newUser } from './users.ts';

let evil: EvilServer | undefined;
const users: User[] = [];

test.afterEach(async () => {
  for (const user of users.splice(0)) await user.context.close();
  await evil?.close();
  evil = undefined;
});

async function expectNoChat(user: User): Promise<void> {
  await expect(user.page.getByRole('log').getByRole('listitem')).toHaveCount(0);
  await expect(user.page.getByRole('textbox', { name: 'Message' })).toHaveCount(0);
}

/** Server logs hold no secret, no code and no payload. */
function expectCleanLogs(server: EvilServer, secrets: string[]): void {
  const text = JSON.stringify(server.logs);
  for (const secret of secrets) expect(text).not.toContain(secret);
  for (const frame of server.frames) {
    const parsed = JSON.parse(frame) as { payload?: string };
    if (parsed.payload) expect(text).not.toContain(parsed.payload);
  }
}

function lastStatus(user: User) {
  return connectionStatus(user.page);
}

/** Alice and Bruno, each in their own browser context, closed after the test. */
async function twoPeople(browser: Browser): Promise<[User, User]> {
  const pair: [User, User] = [await newUser(browser), await newUser(browser)];
  users.push(...pair);
  return pair;
}

/** Flips a bit in every sealed signal on its way to `side`. */
function flipSignalsTo(side: Side): Attack {
  return (frame, to) => [to === side && frame.type === 'signal' ? { ...frame, payload: flipBit(String(frame.payload)) } : frame];
}

test('altering the guest’s sealed offer is caught by the host', async ({ browser }) => {
  evil = await startEvilServer(flipSignalsTo('host'));
  const [alice, bruno] = await twoPeople(browser);
  const link = await createRoom(alice, 'Alice', evil.url);
  await joinByLink(bruno, link, 'Bruno');

  // The host refuses, turns that guest out and keeps the room; the guest learns it was turned out. Nobody chats.
  await expect(alice.page.getByRole('alert')).toContainText('[signal-rejected]');
  await expect(lastStatus(alice)).toContainText('Waiting for your peer');
  await expect(lastStatus(bruno)).toContainText('[evicted]');
  await expectNoChat(alice);
  await expectNoChat(bruno);
  expectCleanLogs(evil, [new URL(link).hash.slice(1)]);
});

test('altering the host’s sealed answer is caught by the guest', async ({ browser }) => {
  evil = await startEvilServer(flipSignalsTo('guest'));
  const [alice, bruno] = await twoPeople(browser);
  const link = await createRoom(alice, 'Alice', evil.url);
  await joinByLink(bruno, link, 'Bruno');

  await expect(lastStatus(bruno)).toContainText('[signal-rejected]');
  // The host keeps its room open for a genuine guest and is told an attempt failed.
  await expect(alice.page.getByRole('alert')).toContainText('[peer-left-early]');
  await expect(lastStatus(alice)).toContainText('Waiting for your peer');
  await expectNoChat(bruno);
});

test('swapping a DTLS fingerprint, even knowing the room secret, gets no connection', async ({ browser }) => {
  // The worst case: the attacker has the link, so it can open and re-seal signals.
  let signalKey: CryptoKey | undefined;
  let nonce: string | undefined;
  let swapped = 0;
  evil = await startEvilServer(async (frame, to) => {
    if (frame.type !== 'signal' || !signalKey) return [frame];
    if (to === 'guest' && !nonce) {
      // The host's first signal carries the attempt's nonce; with the secret it can be read.
      const session = await openSignal(signalKey, 'host', String(frame.payload));
      if (session.type === 'session') nonce = session.nonce;
      return [frame];
    }
    if (to !== 'host') return [frame];
    const signal = await openSignal(signalKey, 'guest', String(frame.payload), nonce);
    if (signal.type !== 'offer') return [frame];
    const fake = Array.from({ length: 32 }, (_, i) => ((i * 37 + 11) % 256).toString(16).padStart(2, '0').toUpperCase()).join(':');
    const sdp = signal.sdp.replace(/a=fingerprint:sha-256 [0-9A-F:]+/gi, `a=fingerprint:sha-256 ${fake}`);
    expect(sdp).not.toBe(signal.sdp);
    swapped++;
    return [{ ...frame, payload: await sealSignal(signalKey, 'guest', { type: 'offer', sdp }, undefined, nonce) }];
  });
  const [alice, bruno] = await twoPeople(browser);
  const link = await createRoom(alice, 'Alice', evil.url);
  signalKey = (await deriveRoomKeys(parseInviteInput(link))).signalKey;
  await joinByLink(bruno, link, 'Bruno');

  // DTLS refuses the certificate that does not match; were it accepted, the handshake
  // transcript (which binds both fingerprints) would not match either.
  await expect(lastStatus(bruno)).toContainText(/\[(peer-connection-failed|peer-unreachable|peer-left-early|handshake-failed)\]/, { timeout: 45_000 });
  expect(swapped).toBe(1);
  await expectNoChat(bruno);
  await expect(alice.page.getByRole('log')).toHaveCount(0);
});

test('the server’s own guess at a short code fails: the guest hears code-mismatch, the host spends the code and waits', async ({ browser }) => {
  let shortCode = '';
  const attack: Attack = (frame, to) => {
    // Replace the guest's PAKE share with one made from a guessed password.
    if (to === 'host' && frame.type === 'signal') {
      const bytes = fromBase64Url(String(frame.payload));
      if (bytes[0] === 1 && bytes.length === 33) {
        const [nameplate] = shortCode.split('-');
        const guess = new PakeParty('guest', 'abandon-ability', `${roomId}/${nameplate}`);
        return [{ ...frame, payload: toBase64Url(new Uint8Array([1, ...guess.share])) }];
      }
    }
    if (frame.type === 'joined') roomId = String(frame.room);
    return [frame];
  };
  let roomId = '';
  evil = await startEvilServer(attack);
  const [alice, bruno] = await twoPeople(browser);
  await createRoom(alice, 'Alice', evil.url);
  shortCode = await getShortCode(alice);
  await joinByCode(bruno, shortCode, 'Bruno', evil.url);
  await expect(lastStatus(bruno)).toContainText('[code-mismatch]');
  await expect(alice.page.getByRole('alert')).toContainText('[short-code-guessed]');
  await expect(connectionStatus(alice.page)).toContainText('Waiting for your peer');
  await expectNoChat(alice);
  await expectNoChat(bruno);
  expectCleanLogs(evil, [shortCode.split('-').slice(1).join('-')]);
});

test('signals recorded from an earlier attempt cannot be replayed into a new one', async ({ browser }) => {
  let attempt = 1;
  let hostSignals = 0;
  const recorded: Record<string, unknown>[] = [];
  let replayed = 0;
  evil = await startEvilServer((frame, to) => {
    if (frame.type !== 'signal') return [frame];
    if (attempt === 1 && to === 'host') {
      recorded.push(frame); // the first guest's offer and candidates
      return [frame];
    }
    if (attempt === 1 && to === 'guest') {
      // Let the session nonce through but keep the answer back: attempt 1 never connects.
      return hostSignals++ === 0 ? [frame] : [];
    }
    if (to === 'host') {
      const old = recorded[replayed++];
      return old ? [old] : [];
    }
    return [frame];
  });
  const alice = await newUser(browser);
  const first = await newUser(browser);
  users.push(alice, first);
  const link = await createRoom(alice, 'Alice', evil.url);
  await joinByLink(first, link, 'Bruno');
  await expect.poll(() => recorded.length).toBeGreaterThan(0);
  await first.page.close();
  await expect(alice.page.getByRole('alert')).toContainText('[peer-left-early]');
  await expect(lastStatus(alice)).toContainText('Waiting for your peer');

  attempt = 2;
  const second = await newUser(browser);
  users.push(second);
  await joinByLink(second, link, 'Bruno');
  await expect(alice.page.getByRole('alert')).toContainText('[signal-rejected]');
  await expect(lastStatus(alice)).toContainText('Waiting for your peer');
  await expect(lastStatus(second)).toContainText('[evicted]');
  expect(replayed).toBeGreaterThan(0);
  await expectNoChat(second);
  await expect(alice.page.getByRole('log')).toHaveCount(0);
});
