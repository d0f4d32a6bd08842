/**
 * Invites. A room is created from a 256-bit secret made in the creator's browser.
 * The secret travels only in the invite link's #fragment (never sent to any
 * server); the signaling server sees only a room id derived from it.
 */
import type { RoomId } from '../../signaling/protocol.ts';
import { isRoomId } from '../../signaling/protocol.ts';
import { type Bytes, type RandomSource, fromBase64Url, secureRandom, toBase64Url } from './bytes.ts';
import { DuetError } from './errors.ts';
import { LABELS, hkdfAesKey, hkdfBytes, importHkdfKey } from './kdf.ts';

export const ROOM_SECRET_BYTES = 32;
/** base64url of 32 bytes, unpadded. */
export const INVITE_CODE_LENGTH = 43;
const ROOM_ID_BYTES = 16;

export interface RoomKeys {
  /** What the signaling server knows the room by. */
  roomId: RoomId;
  /** Seals signal payloads (SDP, ICE) so the server can neither read nor alter them. */
  signalKey: CryptoKey;
  /** Pre-shared key that binds the handshake to knowledge of the secret. */
  psk: Bytes;
}

export function generateRoomSecret(random: RandomSource = secureRandom): Bytes {
  return random(ROOM_SECRET_BYTES);
}

export function encodeInviteCode(secret: Bytes): string {
  if (secret.length !== ROOM_SECRET_BYTES) throw new RangeError('room secret must be 32 bytes');
  return toBase64Url(secret);
}

/** The shareable link: the app's own address with the code in the fragment. */
export function inviteLink(appUrl: string, secret: Bytes): string {
  const url = new URL(appUrl);
  url.hash = encodeInviteCode(secret);
  return url.toString();
}

/**
 * Reads what a person typed or pasted: a bare code, `#code`, or a whole link.
 * Throws DuetError('invalid-code') for anything else.
 */
export function parseInviteInput(input: string): Bytes {
  let text = input.trim();
  const hashAt = text.indexOf('#');
  if (hashAt >= 0) text = text.slice(hashAt + 1);
  text = text.replace(/\s+/g, '');
  if (text.length !== INVITE_CODE_LENGTH) throw new DuetError('invalid-code', 'wrong length');
  try {
    const secret = fromBase64Url(text);
    if (secret.length !== ROOM_SECRET_BYTES) throw new DuetError('invalid-code', 'wrong size');
    return secret;
  } catch (error) {
    if (error instanceof DuetError) throw error;
    throw new DuetError('invalid-code', 'not base64url');
  }
}

export async function deriveRoomKeys(secret: Bytes): Promise<RoomKeys> {
  if (secret.length !== ROOM_SECRET_BYTES) throw new DuetError('invalid-code', 'wrong size');
  const base = await importHkdfKey(secret);
  const [idBytes, signalKey, psk] = await Promise.all([
    hkdfBytes(base, LABELS.roomId, ROOM_ID_BYTES),
    hkdfAesKey(base, LABELS.signalKey),
    hkdfBytes(base, LABELS.psk, 32),
  ]);
  const roomId = toBase64Url(idBytes);
  if (!isRoomId(roomId)) throw new Error('derived room id has the wrong shape');
  return { roomId, signalKey, psk };
}
