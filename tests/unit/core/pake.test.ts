import { describe, expect, it } from 'vitest';
import { ristretto255 } from '@noble/curves/ed25519.js';
import { DuetError } from '../../../src/core/errors.ts';
import { PakeParty } from '../../../src/core/pake.ts';
import { formatShortCode, generatePassword, loadWordlist, looksLikeShortCode, parseShortCode } from '../../../src/core/short-code.ts';

async function run(passwordHost: string, passwordGuest: string, channelHost = 'room/7', channelGuest = channelHost) {
  const host = new PakeParty('host', passwordHost, channelHost);
  const guest = new PakeParty('guest', passwordGuest, channelGuest);
  const [h, g] = await Promise.all([host.finish(guest.share), guest.finish(host.share)]);
  return { h, g, hostOk: await h.verifyPeer(g.localConfirm), guestOk: await g.verifyPeer(h.localConfirm) };
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  return promise.then(
    () => 'resolved',
    (e: unknown) => (e instanceof DuetError ? e.code : String(e)),
  );
}

describe('CPace PAKE', () => {
  it('gives both sides the same strong secret when the codes match', async () => {
    const { h, g, hostOk, guestOk } = await run('tiger-ocean', 'tiger-ocean');
    expect(hostOk && guestOk).toBe(true);
    expect(h.secret).toEqual(g.secret);
    expect(h.secret).toHaveLength(32);
    const again = await run('tiger-ocean', 'tiger-ocean');
    expect(again.h.secret).not.toEqual(h.secret); // fresh scalars every run
  });

  it('fails the confirmation on both sides when the codes differ', async () => {
    const { h, g, hostOk, guestOk } = await run('tiger-ocean', 'tiger-oxygen');
    expect([hostOk, guestOk]).toEqual([false, false]);
    expect(h.secret).not.toEqual(g.secret);
  });

  it('binds the run to its room: another channel does not match', async () => {
    const { hostOk, guestOk } = await run('tiger-ocean', 'tiger-ocean', 'room-a/7', 'room-b/7');
    expect([hostOk, guestOk]).toEqual([false, false]);
  });

  it('shares reveal nothing comparable: the same password gives unrelated shares', () => {
    const a = new PakeParty('host', 'tiger-ocean', 'room/7');
    const b = new PakeParty('host', 'tiger-ocean', 'room/7');
    expect(a.share).not.toEqual(b.share);
  });

  it('refuses invalid, identity and reflected shares', async () => {
    const party = new PakeParty('host', 'tiger-ocean', 'room/7');
    expect(await codeOf(party.finish(new Uint8Array(31)))).toBe('code-mismatch');
    expect(await codeOf(party.finish(ristretto255.Point.ZERO.toBytes()))).toBe('code-mismatch');
    expect(await codeOf(party.finish(new Uint8Array(32).fill(0xff)))).toBe('code-mismatch');
    expect(await codeOf(party.finish(party.share))).toBe('code-mismatch');
  });

  it('rejects confirmations of the wrong length or from the wrong role', async () => {
    const { h, g } = await run('a-b', 'a-b');
    expect(await h.verifyPeer(new Uint8Array(31))).toBe(false);
    // A reflected confirmation (our own MAC) is not the peer's.
    expect(await h.verifyPeer(h.localConfirm)).toBe(false);
    expect(await g.verifyPeer(h.localConfirm)).toBe(true);
  });
});

describe('short codes', () => {
  it('uses the 2048-word list for 22 bits of password', async () => {
    const words = await loadWordlist();
    expect(words).toHaveLength(2048);
    expect(new Set(words).size).toBe(2048);
    const password = generatePassword(words);
    expect(password).toMatch(/^[a-z]+-[a-z]+$/);
    const seen = new Set(Array.from({ length: 200 }, () => generatePassword(words)));
    expect(seen.size).toBeGreaterThan(190);
  });

  it('formats and parses, forgiving case and separators', async () => {
    const words = await loadWordlist();
    const code = formatShortCode({ nameplate: 7, password: 'tiger-ocean' });
    expect(code).toBe('7-tiger-ocean');
    for (const input of ['7-tiger-ocean', ' 7 Tiger OCEAN ', '7 - tiger - ocean']) {
      expect(looksLikeShortCode(input)).toBe(true);
      expect(parseShortCode(input, words)).toEqual({ nameplate: 7, password: 'tiger-ocean' });
    }
  });

  it('refuses unknown words, bad numbers and other shapes', async () => {
    const words = await loadWordlist();
    for (const bad of ['7-tiger-qqqqq', '0-tiger-ocean', '10000-tiger-ocean', 'tiger-ocean', '7-tiger', '7-tiger-ocean-extra']) {
      let code = 'accepted';
      try {
        parseShortCode(bad, words);
      } catch (e) {
        code = e instanceof DuetError ? e.code : String(e);
      }
      expect(code, bad).toBe('invalid-code');
    }
    expect(looksLikeShortCode('n7HhLpZY3D7jpdIb6fwvJFys9lYlxF7I78F8ecx-Slk')).toBe(false);
  });
});
