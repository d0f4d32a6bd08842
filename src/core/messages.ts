/**
 * What travels inside records: small JSON documents, one shape per record type,
 * each validated after decryption (an authentic peer can still send nonsense).
 */
import { type Bytes, utf8Decode, utf8Encode } from './bytes.ts';
import { DuetError } from './errors.ts';
import type { IdentityProof } from './identity.ts';
import { RecordType } from './record.ts';

export const MAX_NAME_LENGTH = 40;
/** Characters (UTF-16 code units) in one chat message. */
export const MAX_MESSAGE_LENGTH = 50_000;
const MESSAGE_ID_PATTERN = /^[A-Za-z0-9_-]{8,64}$/;
/** Receipts acknowledge several messages at once; this bounds one record. */
export const MAX_RECEIPT_IDS = 256;

export type PeerMessage =
  | { type: 'profile'; name: string; identity?: IdentityProof }
  | { type: 'chat'; id: string; text: string; sentAt: number }
  | { type: 'bye' }
  /** The peer received (and will show) these chat messages. */
  | { type: 'receipt'; ids: string[] }
  /** The peer is typing; shown for a few seconds. */
  | { type: 'typing' }
  /** Sent when the line has been quiet, so a silently dead connection is noticed. */
  | { type: 'keepalive' };

/** Normalises and checks a display name; throws DuetError('invalid-name'). */
export function normaliseName(input: string): string {
  // Collapse runs of white space and strip control characters, so names render on one line.
  // eslint-disable-next-line no-control-regex
  const name = input.replace(/[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069]/g, '').replace(/\s+/g, ' ').trim();
  if (name.length === 0 || [...name].length > MAX_NAME_LENGTH) throw new DuetError('invalid-name');
  return name;
}

export function recordTypeOf(message: PeerMessage): RecordType {
  return RecordType[message.type];
}

export function encodePeerMessage(message: PeerMessage): Bytes {
  switch (message.type) {
    case 'profile':
      return utf8Encode(JSON.stringify({ name: message.name, ...(message.identity ? { identity: message.identity } : {}) }));
    case 'chat':
      return utf8Encode(JSON.stringify({ id: message.id, text: message.text, sentAt: message.sentAt }));
    case 'bye':
    case 'typing':
    case 'keepalive':
      return utf8Encode('{}');
    case 'receipt':
      return utf8Encode(JSON.stringify({ ids: message.ids }));
  }
}

const malformed = (detail: string) => new DuetError('record-malformed', detail);

function parseObject(plaintext: Uint8Array, keys: readonly string[]): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(utf8Decode(plaintext));
  } catch {
    throw malformed('payload is not UTF-8 JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw malformed('payload is not an object');
  const object = value as Record<string, unknown>;
  if (Object.keys(object).some((key) => !keys.includes(key))) throw malformed('unexpected field');
  return object;
}

function parseIdentityProof(value: unknown): IdentityProof {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw malformed('identity is not an object');
  const proof = value as Record<string, unknown>;
  if (Object.keys(proof).some((key) => key !== 'publicKey' && key !== 'signature')) throw malformed('unexpected identity field');
  const { publicKey, signature } = proof;
  const shape = /^[A-Za-z0-9_-]{1,200}$/;
  if (typeof publicKey !== 'string' || typeof signature !== 'string' || !shape.test(publicKey) || !shape.test(signature)) {
    throw malformed('invalid identity proof');
  }
  return { publicKey, signature };
}

/** Validates a decrypted payload of the given record type; throws DuetError('record-malformed'). */
export function parsePeerMessage(type: RecordType, plaintext: Uint8Array): PeerMessage {
  switch (type) {
    case RecordType.profile: {
      const { name, identity } = parseObject(plaintext, ['name', 'identity']);
      if (typeof name !== 'string') throw malformed('name missing');
      let normalised: string;
      try {
        normalised = normaliseName(name);
      } catch {
        throw malformed('invalid name');
      }
      if (identity === undefined) return { type: 'profile', name: normalised };
      return { type: 'profile', name: normalised, identity: parseIdentityProof(identity) };
    }
    case RecordType.chat: {
      const { id, text, sentAt } = parseObject(plaintext, ['id', 'text', 'sentAt']);
      if (typeof id !== 'string' || !MESSAGE_ID_PATTERN.test(id)) throw malformed('invalid id');
      if (typeof text !== 'string' || text.length === 0 || text.length > MAX_MESSAGE_LENGTH) throw malformed('invalid text');
      if (typeof sentAt !== 'number' || !Number.isSafeInteger(sentAt) || sentAt < 0) throw malformed('invalid time');
      return { type: 'chat', id, text, sentAt };
    }
    case RecordType.bye:
      parseObject(plaintext, []);
      return { type: 'bye' };
    case RecordType.typing:
      parseObject(plaintext, []);
      return { type: 'typing' };
    case RecordType.keepalive:
      parseObject(plaintext, []);
      return { type: 'keepalive' };
    case RecordType.receipt: {
      const { ids } = parseObject(plaintext, ['ids']);
      if (!Array.isArray(ids) || ids.length === 0 || ids.length > MAX_RECEIPT_IDS) throw malformed('invalid receipt');
      if (!ids.every((id): id is string => typeof id === 'string' && MESSAGE_ID_PATTERN.test(id))) throw malformed('invalid receipt id');
      return { type: 'receipt', ids };
    }
  }
}
