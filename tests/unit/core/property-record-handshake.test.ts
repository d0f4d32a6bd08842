/**
 * Property-based tests (fast-check) of the record layer and the handshake:
 * random tampering, reordering, duplication, cross-direction and cross-session
 * records are all refused; honest runs always agree on keys and safety code.
 */
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import type { Bytes } from '../../../src/core/bytes.ts';
import { DuetError } from '../../../src/core/errors.ts';
import { RecordOpener, RecordSealer, RecordType } from '../../../src/core/record.ts';
import { establishBoth, makePair } from '../helpers/pair.ts';

// Each handshake run does real RSA and ECDH work, whose time varies a lot on a busy machine.
vi.setConfig({ testTimeout: 60_000 });

const TYPES = Object.values(RecordType);

async function keyPair() {
  const aes = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
  const mac = await crypto.subtle.generateKey({ name: 'HMAC', hash: 'SHA-256', length: 256 }, false, ['sign', 'verify']);
  return { aes, mac };
}

async function outcome(promise: Promise<unknown>): Promise<string> {
  return promise.then(
    () => 'accepted',
    (error: unknown) => (error instanceof DuetError ? error.code : `not a DuetError: ${String(error)}`),
  );
}

const record = fc.record({ type: fc.constantFrom(...TYPES), plaintext: fc.uint8Array({ maxLength: 2048 }) });

describe('record layer properties', () => {
  it('honest records round-trip in order', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(record, { minLength: 1, maxLength: 12 }), async (records) => {
        const k = await keyPair();
        const sealer = new RecordSealer(k.aes, k.mac);
        const opener = new RecordOpener(k.aes, k.mac);
        for (const [i, r] of records.entries()) {
          const opened = await opener.open(await sealer.seal(r.type, r.plaintext as Bytes));
          expect([opened.type, opened.sequence, [...opened.plaintext]]).toEqual([r.type, BigInt(i + 1), [...r.plaintext]]);
        }
      }),
      { numRuns: 30 },
    );
  });

  it('any tampering is refused and changes nothing', async () => {
    const k = await keyPair();
    await fc.assert(
      fc.asyncProperty(record, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 4 }), async (r, flips) => {
        const sealer = new RecordSealer(k.aes, k.mac);
        const opener = new RecordOpener(k.aes, k.mac);
        const genuine = await sealer.seal(r.type, r.plaintext as Bytes);
        const tampered = new Uint8Array(genuine) as Bytes;
        for (const [index, mask] of flips) tampered[index % tampered.length]! ^= mask;
        fc.pre(tampered.some((byte, i) => byte !== genuine[i]));
        expect(['record-forged', 'record-malformed', 'unsupported-version']).toContain(await outcome(opener.open(tampered)));
        expect((await opener.open(genuine)).sequence).toBe(1n);
      }),
      { numRuns: 100 },
    );
  });

  it('truncated or extended records are refused', async () => {
    const k = await keyPair();
    await fc.assert(
      fc.asyncProperty(record, fc.nat(), fc.uint8Array({ minLength: 1, maxLength: 64 }), async (r, cut, extra) => {
        const sealer = new RecordSealer(k.aes, k.mac);
        const opener = new RecordOpener(k.aes, k.mac);
        const genuine = await sealer.seal(r.type, r.plaintext as Bytes);
        expect(await outcome(opener.open(genuine.subarray(0, cut % genuine.length)))).not.toBe('accepted');
        expect(await outcome(opener.open(new Uint8Array([...genuine, ...extra])))).not.toBe('accepted');
      }),
      { numRuns: 60 },
    );
  });

  it('reordered and duplicated delivery accepts exactly the running maximum, each once', async () => {
    const k = await keyPair();
    await fc.assert(
      fc.asyncProperty(fc.array(fc.nat({ max: 9 }), { minLength: 1, maxLength: 30 }), async (order) => {
        const sealer = new RecordSealer(k.aes, k.mac);
        const opener = new RecordOpener(k.aes, k.mac);
        const sealed = await Promise.all(Array.from({ length: 10 }, (_, i) => sealer.seal(RecordType.chat, new Uint8Array([i]) as Bytes)));
        let highest = -1;
        for (const index of order) {
          const result = await outcome(opener.open(sealed[index]!));
          expect(result).toBe(index > highest ? 'accepted' : 'record-replayed');
          highest = Math.max(highest, index);
        }
      }),
      { numRuns: 60 },
    );
  });

  it('records never open in the other direction or in another session', async () => {
    await fc.assert(
      fc.asyncProperty(record, async (r) => {
        const [aToB, bToA, other] = await Promise.all([keyPair(), keyPair(), keyPair()]);
        const sealed = await new RecordSealer(aToB.aes, aToB.mac).seal(r.type, r.plaintext as Bytes);
        expect(await outcome(new RecordOpener(bToA.aes, bToA.mac).open(sealed))).toBe('record-forged');
        expect(await outcome(new RecordOpener(other.aes, other.mac).open(sealed))).toBe('record-forged');
      }),
      { numRuns: 20 },
    );
  });
});

describe('handshake properties', () => {
  it('honest runs agree on the safety code and carry any text exactly', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 300 }), { minLength: 1, maxLength: 4 }), async (texts) => {
        const pair = await makePair();
        const [h, g] = await establishBoth(pair);
        expect('safetyCode' in h && 'safetyCode' in g && h.safetyCode === g.safetyCode).toBe(true);
        for (const [i, text] of texts.entries()) await pair.host.channel.send({ type: 'chat', id: `msg-${String(i).padStart(8, '0')}`, text, sentAt: i });
        await vi.waitFor(() => expect(pair.guest.received.map((m) => (m.type === 'chat' ? m.text : ''))).toEqual(texts));
        expect(pair.guest.rejected).toEqual([]);
      }),
      { numRuns: 12 },
    );
  });

  it('a change to any handshake frame never yields two sides that disagree yet both succeed', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 5 }), fc.nat(), fc.integer({ min: 1, max: 255 }), async (frameIndex, at, mask) => {
        let seen = 0;
        const pair = await makePair({
          config: { stepTimeoutMs: 200, maxAttempts: 1 },
          tamper: (_from, frame) => {
            if (frame[1]! >= 0x10 || seen++ !== frameIndex) return [frame];
            const changed = new Uint8Array(frame) as Bytes;
            changed[at % changed.length]! ^= mask;
            return [changed];
          },
        });
        const [h, g] = await establishBoth(pair);
        if ('safetyCode' in h && 'safetyCode' in g) expect(h.safetyCode).toBe(g.safetyCode);
        else expect('safetyCode' in h && 'safetyCode' in g).toBe(false);
        // A tampered run never reaches an agreement: at least one side refused.
        expect('error' in h || 'error' in g).toBe(true);
      }),
      { numRuns: 15 },
    );
  });
});
