import { describe, expect, it, vi } from 'vitest';
import { type Bytes, concatBytes } from '../../../src/core/bytes.ts';
import { DuetError } from '../../../src/core/errors.ts';
import type { DuetError as DuetErrorType } from '../../../src/core/errors.ts';
import {
  HandshakeType,
  deriveSessionKeys,
  encodeHello,
  encodeKey,
  formatSafetyCode,
  generateRsaIdentity,
  parseHello,
} from '../../../src/core/handshake.ts';
import { ManualClock, settle } from '../helpers/manual-clock.ts';
import { establishBoth, makePair, testIdentities } from '../helpers/pair.ts';

function codeOf(promise: Promise<unknown>): Promise<string> {
  return promise.then(
    () => 'resolved',
    (error: unknown) => (error instanceof DuetError ? error.code : `not a DuetError: ${String(error)}`),
  );
}

describe('handshake', () => {
  it('gives both sides the same safety code and working keys', async () => {
    const { host, guest } = await makePair();
    const [h, g] = await Promise.all([host.channel.establish(), guest.channel.establish()]);
    expect(h.safetyCode).toMatch(/^\d{5}( \d{5}){5}$/);
    expect(h.safetyCode).toBe(g.safetyCode);

    const text = '¡Olá! 👋🏽 ' + 'ção漢字🎉'.repeat(3500);
    expect(text.length).toBeGreaterThanOrEqual(20000);
    await host.channel.send({ type: 'chat', id: 'msg-00000001', text, sentAt: 1700000000000 });
    await guest.channel.send({ type: 'chat', id: 'msg-00000002', text: 'back', sentAt: 1700000000001 });
    await vi.waitFor(() => expect(guest.received.length + host.received.length).toBe(2));
    expect(guest.received).toEqual([{ type: 'chat', id: 'msg-00000001', text, sentAt: 1700000000000 }]);
    expect(host.received).toEqual([{ type: 'chat', id: 'msg-00000002', text: 'back', sentAt: 1700000000001 }]);
    expect(host.rejected).toEqual([]);
    expect(guest.rejected).toEqual([]);
  });

  it('sends nothing but handshake messages in the clear', async () => {
    const { host, guest } = await makePair();
    await Promise.all([host.channel.establish(), guest.channel.establish()]);
    await host.channel.send({ type: 'profile', name: 'Alice Plaintext' });
    await host.channel.send({ type: 'chat', id: 'msg-00000003', text: 'secret words', sentAt: 1 });
    await settle();
    const wire = Buffer.concat(host.sent.map((f) => Buffer.from(f))).toString('latin1');
    expect(wire).not.toContain('Alice');
    expect(wire).not.toContain('secret words');
    expect(host.sent.slice(0, 3).map((f) => f[1])).toEqual([HandshakeType.hello, HandshakeType.key, HandshakeType.confirm]);
    expect(host.sent.slice(3).every((f) => f[1]! >= 0x10)).toBe(true);
  });

  it('refuses a handshake message on the data channel (records only) without disturbing the channel', async () => {
    const { host, guest } = await makePair();
    await Promise.all([host.channel.establish(), guest.channel.establish()]);
    // The guest's own HELLO, as if someone put it on the data channel.
    guest.channel.receive(guest.sent[0]!);
    expect(guest.rejected.map((e) => e.code)).toEqual(['record-malformed']);
    await host.channel.send({ type: 'chat', id: 'msg-00000004', text: 'still here', sentAt: 2 });
    await vi.waitFor(() => expect(guest.received).toEqual([{ type: 'chat', id: 'msg-00000004', text: 'still here', sentAt: 2 }]));
  });

  it('differs in every session (fresh secrets and ECDH shares)', async () => {
    const first = await makePair();
    const second = await makePair();
    const [a] = await Promise.all([first.host.channel.establish(), first.guest.channel.establish()]);
    const [b] = await Promise.all([second.host.channel.establish(), second.guest.channel.establish()]);
    expect(a.safetyCode).not.toBe(b.safetyCode);
  });

  it('fails when the two sides hold different room secrets (pre-shared keys)', async () => {
    const { host, guest } = await makePair({ psk: [new Uint8Array(32).fill(1), new Uint8Array(32).fill(2)] });
    const codes = await Promise.all([codeOf(host.channel.establish()), codeOf(guest.channel.establish())]);
    expect(codes).toEqual(['handshake-failed', 'handshake-failed']);
  });

  it('a side one resumption ahead (the last CONFIRM was lost on its way) goes back to the secret the peer still holds', async () => {
    const [s0, s1, s2, s3] = [0, 1, 2, 3].map((n) => new Uint8Array(32).fill(0x40 + n) as Bytes);
    // The host finished the last resumed handshake (S1 → S2); the guest never saw its CONFIRM and kept S1.
    const behind = await makePair({ psk: [s2!, s1!], previousPsk: [s1!, s0!] });
    const [h, g] = await Promise.all([behind.host.channel.establish(), behind.guest.channel.establish()]);
    expect(h.safetyCode).toBe(g.safetyCode);
    expect([h.pskUsed, g.pskUsed]).toEqual([s1, s1]);
    // Both then derive the same next secret.
    expect(h.resumptionSecret).toEqual(g.resumptionSecret);
    // Anything else still fails: a previous secret the peer does not name is never used.
    const apart = await makePair({ psk: [s2!, s3!], previousPsk: [s1!, s0!] });
    const codes = await Promise.all([codeOf(apart.host.channel.establish()), codeOf(apart.guest.channel.establish())]);
    expect(codes).toEqual(['handshake-failed', 'handshake-failed']);
  });

  it('fails when a DTLS fingerprint was swapped on the way', async () => {
    const { host, guest } = await makePair({
      fingerprints: { host: ['sha-256 aa', 'sha-256 bb'], guest: ['sha-256 b0', 'sha-256 aa'] },
    });
    const codes = await Promise.all([codeOf(host.channel.establish()), codeOf(guest.channel.establish())]);
    expect(codes).toEqual(['handshake-failed', 'handshake-failed']);
  });

  it('fails when someone in the middle swaps the RSA public key', async () => {
    const [, , mallory] = await testIdentities();
    const { host, guest } = await makePair({
      tamper: (from, frame) => {
        if (from === 'host' && frame[1] === HandshakeType.hello) {
          const hello = parseHello(frame);
          return [encodeHello({ ...hello, rsaSpki: mallory.spki })];
        }
        return [frame];
      },
      config: { maxAttempts: 1, stepTimeoutMs: 10 },
    });
    const [hostOutcome, guestOutcome] = await establishBoth({ host, guest });
    // The guest encrypts its secret to Mallory's key: the host cannot decrypt it.
    expect(hostOutcome).toEqual({ error: 'handshake-failed' });
    expect('error' in guestOutcome).toBe(true);
    expect(host.received).toEqual([]);
    expect(guest.received).toEqual([]);
  });

  it("refuses a KEY whose secret is not the one its HELLO committed to, before deriving any key", async () => {
    // Someone in the middle puts a secret of their choosing under the host's RSA key in
    // place of the guest's: what a grinder of safety codes would do once it saw the host's.
    const [hostIdentity] = await testIdentities();
    const chosen = new Uint8Array(await crypto.subtle.encrypt({ name: 'RSA-OAEP' }, hostIdentity.publicKey, new Uint8Array(32).fill(7))) as Bytes;
    const { host, guest } = await makePair({
      tamper: (from, frame) => (from === 'guest' && frame[1] === HandshakeType.key ? [encodeKey(chosen)] : [frame]),
      config: { maxAttempts: 1, stepTimeoutMs: 50 },
    });
    const guestDone = guest.channel.establish().catch(() => undefined);
    const hostError = await host.channel.establish().then(
      () => undefined,
      (error: unknown) => error,
    );
    guest.channel.close(new DuetError('peer-connection-failed'));
    await guestDone;
    expect(hostError).toBeInstanceOf(DuetError);
    expect((hostError as DuetErrorType).code).toBe('handshake-failed');
    expect((hostError as DuetErrorType).message).toContain('commitment');
  });

  it('derives the safety code from committed values only: KEY ciphertexts and fingerprints cannot move it', async () => {
    const base = {
      secretHost: new Uint8Array(32).fill(1) as Bytes,
      secretGuest: new Uint8Array(32).fill(2) as Bytes,
      ecdhShared: new Uint8Array(32).fill(3) as Bytes,
      psk: new Uint8Array(32).fill(4) as Bytes,
      transcriptHash: new Uint8Array(32).fill(5) as Bytes,
      safetySalt: new Uint8Array(32).fill(6) as Bytes,
    };
    const code = (changes: Partial<typeof base>) => deriveSessionKeys({ role: 'host', ...base, ...changes }).then((k) => k.safetyCode);
    const reference = await code({});
    // A re-encrypted KEY or another certificate changes the transcript hash, not the code…
    expect(await code({ transcriptHash: new Uint8Array(32).fill(9) as Bytes })).toBe(reference);
    // …while every committed input does change it.
    expect(await code({ secretGuest: new Uint8Array(32).fill(8) as Bytes })).not.toBe(reference);
    expect(await code({ safetySalt: new Uint8Array(32).fill(8) as Bytes })).not.toBe(reference);
    expect(await code({ ecdhShared: new Uint8Array(32).fill(8) as Bytes })).not.toBe(reference);
  });

  it('fails when a HELLO is reflected back to its sender', async () => {
    let hostHello: Bytes | undefined;
    const pair = await makePair({
      tamper: (from, frame) => {
        if (from === 'host' && frame[1] === HandshakeType.hello) {
          hostHello = frame;
          return [];
        }
        return from === 'guest' && frame[1] === HandshakeType.hello && hostHello ? [hostHello] : [frame];
      },
    });
    // The guest's HELLO goes out only after the host's: start the host first.
    const hostOutcome = pair.host.channel.establish().catch((e: DuetErrorType) => e.code);
    await vi.waitFor(() => expect(hostHello).toBeDefined());
    const guestOutcome = pair.guest.channel.establish().catch((e: DuetErrorType) => e.code);
    expect(await hostOutcome).toBe('handshake-failed');
    pair.guest.channel.close();
    expect(await guestOutcome).toBe('not-connected');
  });

  it('ignores byte-identical retransmissions but fails on conflicting ones', async () => {
    const duplicated = await makePair({ tamper: (_from, frame) => [frame, frame] });
    const ok = await Promise.all([duplicated.host.channel.establish(), duplicated.guest.channel.establish()]);
    expect(ok[0].safetyCode).toBe(ok[1].safetyCode);

    const conflicting = await makePair({
      tamper: (from, frame) => {
        if (from !== 'guest' || frame[1] !== HandshakeType.hello) return [frame];
        const other = new Uint8Array(frame) as Bytes;
        other[5] = other[5]! ^ 1; // a different nonce
        return [frame, other];
      },
    });
    const [host] = await establishBoth(conflicting);
    expect(host).toEqual({ error: 'handshake-failed' });
  });

  /** Fires timers one by one (waiting for the crypto between them) until `outcome` settles. */
  async function driveTimers(clock: ManualClock, outcome: Promise<unknown>): Promise<void> {
    let settled = false;
    void outcome.finally(() => (settled = true));
    for (let i = 0; i < 100 && !settled; i++) {
      await vi.waitFor(() => expect(settled || clock.pending > 0).toBe(true));
      clock.runNext();
      await settle();
    }
  }

  it('re-sends each step on timeout and gives up after the configured attempts', async () => {
    const clock = new ManualClock();
    const { host } = await makePair({ clock, tamper: () => [] }); // the network eats everything
    const result = codeOf(host.channel.establish());
    await driveTimers(clock, result);
    expect(await result).toBe('handshake-timeout');
    expect(clock.now()).toBe(5 * 5000 + 4 * 1000);
    expect(host.sent.length).toBe(5);
    expect(host.sent.every((frame) => frame[1] === HandshakeType.hello)).toBe(true);
    expect(new Set(host.sent.map((f) => Buffer.from(f).toString('hex'))).size).toBe(1);
  });

  it('recovers when the peer answers only on a retry', async () => {
    const clock = new ManualClock();
    let dropFirst = true;
    const pair = await makePair({
      clock,
      tamper: (from, frame) => {
        if (from === 'host' && dropFirst) {
          dropFirst = false;
          return [];
        }
        return [frame];
      },
    });
    const both = establishBoth(pair);
    // The host got the guest's HELLO and answered with KEY; the guest still waits for HELLO.
    await vi.waitFor(() => expect(pair.host.sent.map((f) => f[1])).toEqual([HandshakeType.hello, HandshakeType.key]));
    await vi.waitFor(() => expect(clock.pending).toBe(2));
    clock.advance(5000); // both steps time out
    await vi.waitFor(() => expect(clock.pending).toBe(2));
    clock.advance(1000); // both retry: the host's re-sent flight carries the lost HELLO
    const [h, g] = await both;
    expect([h, g]).toEqual([{ safetyCode: expect.any(String) }, { safetyCode: expect.any(String) }]);
    expect('safetyCode' in h && 'safetyCode' in g && h.safetyCode === g.safetyCode).toBe(true);
    expect(pair.host.sent.filter((f) => f[1] === HandshakeType.hello).length).toBe(2);
  });

  it('rejects malformed handshake messages with a named error', async () => {
    const cases: [string, Bytes, string][] = [
      ['empty', new Uint8Array([]), 'handshake-malformed'],
      ['wrong version', new Uint8Array([9, 1, 0]), 'unsupported-version'],
      ['unknown type', new Uint8Array([1, 7, 0]), 'handshake-malformed'],
      ['short HELLO', new Uint8Array([1, 1, 0, 0]), 'handshake-malformed'],
    ];
    for (const [name, frame, expected] of cases) {
      const pair = await makePair({
        tamper: (from, f) => (from === 'guest' && f[1] === HandshakeType.hello ? [frame] : [f]),
        config: { stepTimeoutMs: 50, maxAttempts: 1 },
      });
      const [host] = await establishBoth(pair);
      const seen = 'error' in host && host.error !== 'handshake-timeout' ? host.error : pair.host.rejected[0]?.code;
      expect(seen, name).toBe(expected);
    }
  });

  it('refuses RSA keys below 2048 bits', async () => {
    const weak = await crypto.subtle.generateKey(
      { name: 'RSA-OAEP', modulusLength: 1024, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' },
      true,
      ['encrypt', 'decrypt'],
    );
    const spki = new Uint8Array(await crypto.subtle.exportKey('spki', weak.publicKey));
    const { host, guest } = await makePair({
      tamper: (from, frame) => (from === 'guest' && frame[1] === HandshakeType.hello ? [encodeHello({ ...parseHello(frame), rsaSpki: spki })] : [frame]),
    });
    const [hostOutcome] = await establishBoth({ host, guest });
    expect(hostOutcome).toEqual({ error: 'handshake-malformed' });
  });

  it('works with configurable RSA sizes', async () => {
    const [a, b] = await Promise.all([
      generateRsaIdentity({ rsaModulusLength: 3072, rsaPublicExponent: 65537 }),
      generateRsaIdentity({ rsaModulusLength: 2048, rsaPublicExponent: 3 }),
    ]);
    expect((a.publicKey.algorithm as RsaHashedKeyAlgorithm).modulusLength).toBe(3072);
    expect(a.privateKey.extractable).toBe(false);
    const { host, guest } = await makePair({ identities: [a, b] });
    const [h, g] = await Promise.all([host.channel.establish(), guest.channel.establish()]);
    expect(h.safetyCode).toBe(g.safetyCode);
    // RSA-3072 generation alone can take seconds on a loaded two-core machine.
  }, 30_000);

  it('formats safety codes as six groups of five digits', () => {
    expect(formatSafetyCode(new Uint8Array(30))).toBe('00000 00000 00000 00000 00000 00000');
    const ff = formatSafetyCode(new Uint8Array(30).fill(255));
    expect(ff).toBe(Array(6).fill(String(2 ** 40 - 1).slice(-5)).join(' '));
    expect(() => formatSafetyCode(concatBytes(new Uint8Array(29)))).toThrow();
  });
});
