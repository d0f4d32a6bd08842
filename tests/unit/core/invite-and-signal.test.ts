import { describe, expect, it } from 'vitest';
import { fromBase64Url, toBase64Url, utf8Encode } from '../../../src/core/bytes.ts';
import { DuetError } from '../../../src/core/errors.ts';
import { deriveRoomKeys, encodeInviteCode, generateRoomSecret, inviteLink, parseInviteInput } from '../../../src/core/invite.ts';
import { openSignal, sdpFingerprint, sealSignal, signalBinding } from '../../../src/core/signal-seal.ts';
import { parsePeerMessage } from '../../../src/core/messages.ts';
import { RecordType } from '../../../src/core/record.ts';
import { isRoomId } from '../../../signaling/protocol.ts';

function errorCode(fn: () => unknown): string {
  try {
    fn();
    return 'no error';
  } catch (error) {
    return error instanceof DuetError ? error.code : `not a DuetError: ${String(error)}`;
  }
}

async function asyncCode(promise: Promise<unknown>): Promise<string> {
  return promise.then(
    () => 'no error',
    (error: unknown) => (error instanceof DuetError ? error.code : `not a DuetError: ${String(error)}`),
  );
}

describe('invites', () => {
  it('makes 256-bit codes that parse back from a code, a #fragment or a whole link', () => {
    const secret = generateRoomSecret();
    const code = encodeInviteCode(secret);
    expect(code).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const link = inviteLink('http://localhost:8080/some/path/?x=1', secret);
    expect(link).toBe(`http://localhost:8080/some/path/?x=1#${code}`);
    for (const input of [code, `#${code}`, link, `  ${code}\n`]) expect(parseInviteInput(input)).toEqual(secret);
  });

  it('refuses codes that are not exactly 32 bytes of canonical base64url', () => {
    const code = encodeInviteCode(generateRoomSecret());
    for (const bad of ['', 'abc', code.slice(1), `${code}A`, `${code.slice(0, 42)}!`, `${code.slice(0, 42)}+`]) {
      expect(errorCode(() => parseInviteInput(bad)), bad).toBe('invalid-code');
    }
    // The last character of 43 carries only 4 bits: a non-canonical spelling is refused.
    const nonCanonical = code.slice(0, 42) + (code.endsWith('B') ? 'C' : 'B');
    const decodes = errorCode(() => fromBase64Url(nonCanonical));
    if (decodes !== 'no error') expect(errorCode(() => parseInviteInput(nonCanonical))).toBe('invalid-code');
  });

  it('derives the same room id and keys from the same secret, and different ones otherwise', async () => {
    const secret = generateRoomSecret();
    const a = await deriveRoomKeys(secret);
    const b = await deriveRoomKeys(new Uint8Array(secret));
    const c = await deriveRoomKeys(generateRoomSecret());
    expect(isRoomId(a.roomId)).toBe(true);
    expect(a.roomId).toBe(b.roomId);
    expect(a.psk).toEqual(b.psk);
    expect(a.roomId).not.toBe(c.roomId);
    expect(a.signalKey.extractable).toBe(false);
    // The room id reveals nothing of the secret's encoding.
    expect(encodeInviteCode(secret)).not.toContain(a.roomId);
  });
});

describe('sealed signals', () => {
  const offer = { type: 'offer' as const, sdp: 'v=0\r\na=fingerprint:sha-256 AB:CD:EF\r\n' };

  const nonce = 'N'.repeat(22);

  it('round-trips the session nonce, then offers, answers and candidates bound to it', async () => {
    const { signalKey } = await deriveRoomKeys(generateRoomSecret());
    const session = { type: 'session' as const, nonce };
    expect(await openSignal(signalKey, 'host', await sealSignal(signalKey, 'host', session))).toEqual(session);
    expect(await openSignal(signalKey, 'host', await sealSignal(signalKey, 'host', offer, undefined, nonce), nonce)).toEqual(offer);
    const candidate = { type: 'candidate' as const, candidate: { candidate: 'candidate:1 1 udp 1 127.0.0.1 5000 typ host', sdpMid: '0', sdpMLineIndex: 0 } };
    expect(await openSignal(signalKey, 'guest', await sealSignal(signalKey, 'guest', candidate, undefined, nonce), nonce)).toEqual(candidate);
  });

  it('refuses signals replayed into another attempt, or out of place', async () => {
    const { signalKey } = await deriveRoomKeys(generateRoomSecret());
    const sealedOffer = await sealSignal(signalKey, 'guest', offer, undefined, nonce);
    expect(await asyncCode(openSignal(signalKey, 'guest', sealedOffer, 'M'.repeat(22)))).toBe('signal-rejected');
    expect(await asyncCode(openSignal(signalKey, 'guest', sealedOffer))).toBe('signal-rejected');
    // An offer sealed without a nonce, or a session message bound to one, is out of place.
    expect(await asyncCode(openSignal(signalKey, 'guest', await sealSignal(signalKey, 'guest', offer)))).toBe('signal-rejected');
    const boundSession = await sealSignal(signalKey, 'host', { type: 'session', nonce }, undefined, nonce);
    expect(await asyncCode(openSignal(signalKey, 'host', boundSession, nonce))).toBe('signal-rejected');
    expect(await asyncCode(openSignal(signalKey, 'host', await sealSignal(signalKey, 'host', { type: 'session', nonce: 'short' })))).toBe(
      'signal-rejected',
    );
  });

  it('carries handshake messages bound to the attempt, and refuses malformed ones', async () => {
    const { signalKey } = await deriveRoomKeys(generateRoomSecret());
    const handshake = { type: 'handshake' as const, message: toBase64Url(new Uint8Array([1, 1, ...new Array<number>(400).fill(7)])) };
    expect(await openSignal(signalKey, 'guest', await sealSignal(signalKey, 'guest', handshake, undefined, nonce), nonce)).toEqual(handshake);
    // Like every signal but the session message, only with a binding.
    expect(await asyncCode(openSignal(signalKey, 'guest', await sealSignal(signalKey, 'guest', handshake)))).toBe('signal-rejected');
    for (const message of ['', 'not base64url!', 'A'.repeat(4097), 42, undefined]) {
      const sealed = await sealSignal(signalKey, 'guest', { type: 'handshake', message } as never, undefined, nonce);
      expect(await asyncCode(openSignal(signalKey, 'guest', sealed, nonce)), String(message).slice(0, 20)).toBe('signal-rejected');
    }
  });

  it('an ICE restart binds later signals to the attempt and the restart; the announcement is the host’s, bound to what came before', async () => {
    const { signalKey } = await deriveRoomKeys(generateRoomSecret());
    const restart = 'R'.repeat(22);
    const later = 'S'.repeat(22);
    const announcement = { type: 'ice-restart' as const, nonce: restart };
    expect(signalBinding(nonce, restart)).toBe(`${nonce}/${restart}`);
    expect(signalBinding(nonce)).toBe(nonce);
    expect(await openSignal(signalKey, 'host', await sealSignal(signalKey, 'host', announcement, undefined, nonce), nonce)).toEqual(announcement);
    const restartOffer = await sealSignal(signalKey, 'guest', offer, undefined, signalBinding(nonce, restart));
    expect(await openSignal(signalKey, 'guest', restartOffer, signalBinding(nonce, restart))).toEqual(offer);
    // Not in the attempt without the restart, nor in a later restart, nor in another attempt with the same restart nonce.
    expect(await asyncCode(openSignal(signalKey, 'guest', restartOffer, nonce))).toBe('signal-rejected');
    expect(await asyncCode(openSignal(signalKey, 'guest', restartOffer, signalBinding(nonce, later)))).toBe('signal-rejected');
    expect(await asyncCode(openSignal(signalKey, 'guest', restartOffer, signalBinding('M'.repeat(22), restart)))).toBe('signal-rejected');
    // Out of place: an unbound announcement, or one from the guest.
    expect(await asyncCode(openSignal(signalKey, 'host', await sealSignal(signalKey, 'host', announcement)))).toBe('signal-rejected');
    expect(await asyncCode(openSignal(signalKey, 'guest', await sealSignal(signalKey, 'guest', announcement, undefined, nonce), nonce))).toBe(
      'signal-rejected',
    );
  });

  it('hides the SDP from whoever relays it', async () => {
    const { signalKey } = await deriveRoomKeys(generateRoomSecret());
    const sealed = await sealSignal(signalKey, 'host', offer);
    expect(sealed).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(Buffer.from(fromBase64Url(sealed)).toString('latin1')).not.toContain('fingerprint');
  });

  it('rejects payloads altered, reflected, sealed under another room, or not JSON', async () => {
    const { signalKey } = await deriveRoomKeys(generateRoomSecret());
    const other = await deriveRoomKeys(generateRoomSecret());
    const sealed = await sealSignal(signalKey, 'host', offer);
    const bytes = fromBase64Url(sealed);
    bytes[20] = bytes[20]! ^ 1;
    expect(await asyncCode(openSignal(signalKey, 'host', toBase64Url(bytes)))).toBe('signal-rejected');
    expect(await asyncCode(openSignal(signalKey, 'guest', sealed))).toBe('signal-rejected');
    expect(await asyncCode(openSignal(other.signalKey, 'host', sealed))).toBe('signal-rejected');
    expect(await asyncCode(openSignal(signalKey, 'host', 'not*base64'))).toBe('signal-rejected');
    expect(await asyncCode(openSignal(signalKey, 'host', 'AAAA'))).toBe('signal-rejected');
    const iv = new Uint8Array(12);
    const junk = new Uint8Array(
      await crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData: utf8Encode('duet/v1/signal/host') }, signalKey, utf8Encode('{"type":"renegotiate"}')),
    );
    expect(await asyncCode(openSignal(signalKey, 'host', toBase64Url(new Uint8Array([...iv, ...junk]))))).toBe('signal-rejected');
  });

  it('reads the DTLS fingerprint out of an SDP', () => {
    expect(sdpFingerprint('v=0\r\na=fingerprint:SHA-256 AB:CD:01\r\na=setup:actpass\r\n')).toBe('sha-256 ab:cd:01');
    expect(errorCode(() => sdpFingerprint('v=0\r\n'))).toBe('signal-rejected');
  });

  it('binds the one certificate an SDP names at session and media level, and refuses an SDP naming two', () => {
    const session = 'v=0\r\na=fingerprint:sha-256 AB:CD:01\r\n';
    const media = (fp: string) => `m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\na=fingerprint:sha-256 ${fp}\r\na=setup:actpass\r\n`;
    // The same certificate at both levels (and in lower case at one): bound once.
    expect(sdpFingerprint(session + media('ab:cd:01'))).toBe('sha-256 ab:cd:01');
    // Media level only, as Chromium writes it.
    expect(sdpFingerprint('v=0\r\n' + media('AB:CD:02'))).toBe('sha-256 ab:cd:02');
    // A session-level line for show and a media-level line the browser would enforce.
    expect(errorCode(() => sdpFingerprint(session + media('AB:CD:02')))).toBe('signal-rejected');
    expect(errorCode(() => sdpFingerprint('v=0\r\n' + media('AB:CD:01') + media('AB:CD:02')))).toBe('signal-rejected');
    // A fingerprint line that is not hex pairs is not skipped over.
    expect(errorCode(() => sdpFingerprint('v=0\r\na=fingerprint:sha-256 zz\r\n' + media('AB:CD:01')))).toBe('signal-rejected');
  });
});

describe('peer messages', () => {
  const enc = (value: unknown) => utf8Encode(JSON.stringify(value));

  it('accepts valid messages and normalises names', () => {
    expect(parsePeerMessage(RecordType.profile, enc({ name: '  Ana\u202e  Maria\n' }))).toEqual({ type: 'profile', name: 'Ana Maria' });
    expect(parsePeerMessage(RecordType.chat, enc({ id: 'abcdefgh', text: '<b>hi</b>', sentAt: 5 }))).toEqual({
      type: 'chat',
      id: 'abcdefgh',
      text: '<b>hi</b>',
      sentAt: 5,
    });
    expect(parsePeerMessage(RecordType.bye, enc({}))).toEqual({ type: 'bye' });
  });

  it('rejects malformed payloads with record-malformed', () => {
    const cases: [RecordType, Uint8Array][] = [
      [RecordType.profile, enc({ name: '' })],
      [RecordType.profile, enc({ name: 'x'.repeat(41) })],
      [RecordType.profile, enc({ name: 'A', admin: true })],
      [RecordType.chat, enc({ id: 'short', text: 'x', sentAt: 1 })],
      [RecordType.chat, enc({ id: 'abcdefgh', text: '', sentAt: 1 })],
      [RecordType.chat, enc({ id: 'abcdefgh', text: 'x'.repeat(50_001), sentAt: 1 })],
      [RecordType.chat, enc({ id: 'abcdefgh', text: 'x', sentAt: -1 })],
      [RecordType.chat, enc(['array'])],
      [RecordType.chat, new Uint8Array([0xff, 0xfe])],
      [RecordType.bye, enc({ extra: 1 })],
    ];
    for (const [type, payload] of cases) expect(errorCode(() => parsePeerMessage(type, payload))).toBe('record-malformed');
  });
});
