/** The fixed inputs every vector is computed from (docs/PROTOCOL.md §7, "Fixed inputs"). */
import { fromHex, toBase64Url } from '../../src/core/bytes.ts';
import type { PeerMessage } from '../../src/core/messages.ts';
import type { SignalData } from '../../src/core/signal-seal.ts';
import { seq } from './primitives.ts';
import type { KeyName } from './types.ts';

/** A DTLS fingerprint as Duet binds it: "sha-256 " + 32 lower-case colon-separated bytes. */
function fingerprint(from: number): string {
  return `sha-256 ${seq(from, 32).match(/../g)!.join(':')}`;
}

export const FIXED = {
  roomSecret: seq(0x00, 32),
  signalIv: seq(0xe0, 12),
  /** The host's session nonce for this attempt: base64url (as text) of the 16 bytes f0 … ff. */
  sessionNonce: toBase64Url(fromHex(seq(0xf0, 16))),
  /** The host's ICE-restart nonce: base64url of the 16 bytes d0 … df. */
  restartNonce: toBase64Url(fromHex(seq(0xd0, 16))),
  /** IVs of the session message, the restart announcement and the guest's signal after it. */
  attemptIvs: { session: seq(0xe1, 12), restart: seq(0xe2, 12), afterRestart: seq(0xe3, 12) },
  host: {
    nonce: seq(0x20, 32),
    ecdhPrivate: seq(0x60, 32),
    secret: seq(0xa0, 32),
    dtlsFingerprint: fingerprint(0x10),
    resumedNonce: seq(0x21, 32),
  },
  guest: {
    nonce: seq(0x40, 32),
    ecdhPrivate: seq(0x80, 32),
    secret: seq(0xc0, 32),
    dtlsFingerprint: fingerprint(0x30),
    resumedNonce: seq(0x41, 32),
  },
  cpace: {
    password: 'abandon-zoo',
    nameplate: 7,
    hostRandom: seq(0x11, 64),
    guestRandom: seq(0x51, 64),
  },
  /** The guest's remembered-device key: a P-256 scalar. */
  identityPrivate: seq(0x31, 32),
} as const;

/** The host's answer, as simple-peer would signal it. Its fingerprint line is upper case on purpose. */
const HOST_ANSWER_SDP = [
  'v=0',
  'o=- 4611731400430051336 2 IN IP4 127.0.0.1',
  's=-',
  't=0 0',
  'a=group:BUNDLE 0',
  'a=msid-semantic: WMS',
  'm=application 9 UDP/DTLS/SCTP webrtc-datachannel',
  'c=IN IP4 0.0.0.0',
  'a=ice-ufrag:dUeT',
  'a=ice-pwd:duet-test-vector-ice-pwd0',
  'a=ice-options:trickle',
  `a=fingerprint:sha-256 ${seq(0x10, 32).toUpperCase().match(/../g)!.join(':')}`,
  'a=setup:active',
  'a=mid:0',
  'a=sctp-port:5000',
  'a=max-message-size:262144',
  '',
].join('\r\n');

export const FIXED_SIGNAL: SignalData = { type: 'answer', sdp: HOST_ANSWER_SDP };

/** The guest's first candidate after the ICE restart. */
export const FIXED_CANDIDATE: SignalData = {
  type: 'candidate',
  candidate: { candidate: 'candidate:1 1 udp 2122260223 192.0.2.7 50000 typ host', sdpMid: '0', sdpMLineIndex: 0 },
};

export interface FixedRecord {
  /** One message, or several sent as one batch record. */
  message: PeerMessage | PeerMessage[];
  iv: string;
  /** The pre-sealed bye, at sequence 2^64 − 1. */
  final?: true;
}

const CHUNK_DATA = fromHex(seq(0x00, 48));

export const FIXED_RECORDS: { hostToGuest: FixedRecord[]; guestToHost: FixedRecord[] } = {
  hostToGuest: [
    { message: { type: 'profile', name: 'Host Tester' }, iv: seq(0x01, 12) },
    { message: { type: 'chat', id: 'msg-00000001', text: 'Hello, Duet! ¡Olá! 👋🏽 漢字', sentAt: 1700000000000 }, iv: seq(0x11, 12) },
    { message: { type: 'file-chunk', id: 'file-0000001', index: 0, data: CHUNK_DATA }, iv: seq(0x31, 12) },
    {
      message: [
        { type: 'receipt', ids: ['msg-00000002'] },
        { type: 'chat', id: 'msg-00000003', text: 'Got it', sentAt: 1700000001000 },
      ],
      iv: seq(0x51, 12),
    },
    { message: { type: 'bye' }, iv: seq(0x21, 12), final: true },
  ],
  // The guest's answers: one record of every other type, so each record type in the spec has a vector.
  guestToHost: [
    { message: { type: 'profile', name: 'Guest Tester' }, iv: seq(0x41, 12) },
    { message: { type: 'receipt', ids: ['msg-00000001'] }, iv: seq(0x61, 12) },
    { message: { type: 'typing' }, iv: seq(0x62, 12) },
    { message: { type: 'keepalive' }, iv: seq(0x63, 12) },
    { message: { type: 'file-offer', id: 'file-0000002', name: 'notes.txt', size: 5, mime: 'text/plain', sentAt: 1700000002000 }, iv: seq(0x64, 12) },
    { message: { type: 'file-accept', id: 'file-0000001' }, iv: seq(0x65, 12) },
    { message: { type: 'file-ack', id: 'file-0000001', received: 48 }, iv: seq(0x66, 12) },
    { message: { type: 'file-done', id: 'file-0000001' }, iv: seq(0x67, 12) },
    { message: { type: 'file-end', id: 'file-0000002', sha256: '2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824' }, iv: seq(0x68, 12) },
    { message: { type: 'file-cancel', id: 'file-0000002', reason: 'cancelled' }, iv: seq(0x69, 12) },
  ],
};

/** HKDF labels, copied from docs/PROTOCOL.md (not from src/core/kdf.ts, on purpose). */
export const SPEC_LABELS: Record<KeyName, string> = {
  host_to_guest_aes: 'duet/v1/host->guest/aes-gcm',
  host_to_guest_hmac: 'duet/v1/host->guest/hmac',
  guest_to_host_aes: 'duet/v1/guest->host/aes-gcm',
  guest_to_host_hmac: 'duet/v1/guest->host/hmac',
  confirm_host: 'duet/v1/confirm/host',
  confirm_guest: 'duet/v1/confirm/guest',
};
