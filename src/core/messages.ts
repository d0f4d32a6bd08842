/**
 * What travels inside records: small JSON documents, one shape per record type,
 * each validated after decryption (an authentic peer can still send nonsense).
 */
import { type Bytes, utf8Decode, utf8Encode } from './bytes.ts';
import { DuetError } from './errors.ts';
import { FILE_CHUNK_BYTES, MAX_FILE_BYTES, isCleanFileName, isSha256Hex, isValidFileType } from './files.ts';
import type { IdentityProof } from './identity.ts';
import { normaliseName } from './names.ts';
import { RecordType, isRecordType } from './record.ts';

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
  | { type: 'keepalive' }
  /** A file the sender would like to send; nothing flows until the receiver accepts. */
  | { type: 'file-offer'; id: string; name: string; size: number; mime: string; sentAt: number }
  | { type: 'file-accept'; id: string }
  /** Chunk `index` of an accepted file: binary, not JSON (see encodeFileChunk). */
  | { type: 'file-chunk'; id: string; index: number; data: Bytes }
  /** Every chunk was sent; the receiver checks the whole file against this SHA-256 (hex). */
  | { type: 'file-end'; id: string; sha256: string }
  /** The receiver has written `received` bytes: progress for the sender, and room in its window. */
  | { type: 'file-ack'; id: string; received: number }
  /** The receiver checked the SHA-256 and has the file. */
  | { type: 'file-done'; id: string }
  /** Either side stops a transfer: declined (before it started), cancelled, corrupt (hash mismatch) or error. */
  | { type: 'file-cancel'; id: string; reason: FileCancelReason };

export type FileCancelReason = 'declined' | 'cancelled' | 'corrupt' | 'error';
const FILE_CANCEL_REASONS: readonly FileCancelReason[] = ['declined', 'cancelled', 'corrupt', 'error'];

const RECORD_TYPE_OF: { [K in PeerMessage['type']]: RecordType } = {
  profile: RecordType.profile,
  chat: RecordType.chat,
  bye: RecordType.bye,
  receipt: RecordType.receipt,
  typing: RecordType.typing,
  keepalive: RecordType.keepalive,
  'file-offer': RecordType.fileOffer,
  'file-accept': RecordType.fileAccept,
  'file-chunk': RecordType.fileChunk,
  'file-end': RecordType.fileEnd,
  'file-ack': RecordType.fileAck,
  'file-done': RecordType.fileDone,
  'file-cancel': RecordType.fileCancel,
};

/** The record type byte that carries a message of this type. */
export function recordTypeOf(type: PeerMessage['type']): RecordType {
  return RECORD_TYPE_OF[type];
}

/** Bytes of framing per message inside a batch record: type (1) and length (4). */
export const BATCH_ENTRY_OVERHEAD = 5;
/** Messages in one batch record at most. */
export const MAX_BATCH_ENTRIES = 1024;

/**
 * Several encoded messages in one record, in order: `type (1) | length (4, big-endian) | payload`,
 * repeated. A burst (a reconnection's outbox, a fast typist, receipts with replies) then
 * costs one record's cryptography instead of one per message. Never nested, never a bye.
 */
export function encodeBatch(entries: readonly { type: RecordType; plaintext: Uint8Array }[]): Bytes {
  const out = new Uint8Array(entries.reduce((sum, entry) => sum + BATCH_ENTRY_OVERHEAD + entry.plaintext.length, 0));
  const view = new DataView(out.buffer);
  let at = 0;
  for (const entry of entries) {
    view.setUint8(at, entry.type);
    view.setUint32(at + 1, entry.plaintext.length);
    out.set(entry.plaintext, at + BATCH_ENTRY_OVERHEAD);
    at += BATCH_ENTRY_OVERHEAD + entry.plaintext.length;
  }
  return out;
}

/**
 * The messages in a record: one, or those of a batch. A batch with any malformed entry
 * is refused whole (record-malformed), so nothing of it is delivered.
 */
export function parseRecordPayload(type: RecordType, plaintext: Uint8Array): PeerMessage[] {
  if (type !== RecordType.batch) return [parsePeerMessage(type, plaintext)];
  const view = new DataView(plaintext.buffer, plaintext.byteOffset, plaintext.byteLength);
  const messages: PeerMessage[] = [];
  for (let at = 0; at < plaintext.length; ) {
    if (at + BATCH_ENTRY_OVERHEAD > plaintext.length) throw malformed('truncated batch entry');
    const entryType = view.getUint8(at);
    const length = view.getUint32(at + 1);
    const end = at + BATCH_ENTRY_OVERHEAD + length;
    if (end > plaintext.length) throw malformed('batch entry longer than the record');
    if (!isRecordType(entryType) || entryType === RecordType.batch || entryType === RecordType.bye) throw malformed('invalid batch entry type');
    if (messages.length === MAX_BATCH_ENTRIES) throw malformed('too many batch entries');
    messages.push(parsePeerMessage(entryType, plaintext.subarray(at + BATCH_ENTRY_OVERHEAD, end)));
    at = end;
  }
  if (messages.length < 2) throw malformed('a batch holds at least two messages');
  return messages;
}

/** Where an encoded message's bytes go when they are many (a file chunk): a fresh array, or a reused one. */
export type Allocate = (length: number) => Bytes;
const freshArray: Allocate = (length) => new Uint8Array(length);

/** Chunk layout: id length (1) | id (ASCII) | index (4, big-endian) | data. */
function encodeFileChunk(id: string, index: number, data: Bytes, allocate: Allocate): Bytes {
  const idBytes = utf8Encode(id);
  const dataAt = 1 + idBytes.length + 4;
  const out = allocate(dataAt + data.length);
  out[0] = idBytes.length;
  out.set(idBytes, 1);
  new DataView(out.buffer, out.byteOffset, out.byteLength).setUint32(1 + idBytes.length, index);
  out.set(data, dataAt);
  return out;
}

function parseFileChunk(plaintext: Uint8Array): PeerMessage {
  const idLength = plaintext[0] ?? 0;
  const dataAt = 1 + idLength + 4;
  if (plaintext.length <= dataAt) throw malformed('file chunk too short');
  const id = String.fromCharCode(...plaintext.subarray(1, 1 + idLength));
  if (!MESSAGE_ID_PATTERN.test(id)) throw malformed('invalid file id');
  const index = new DataView(plaintext.buffer, plaintext.byteOffset, plaintext.byteLength).getUint32(1 + idLength);
  // A view, not a copy: the plaintext is a fresh buffer of the record layer's, used by nothing else.
  const data = plaintext.subarray(dataAt) as Bytes;
  if (data.length > FILE_CHUNK_BYTES) throw malformed('file chunk too large');
  return { type: 'file-chunk', id, index, data };
}

/**
 * A message's record payload. `allocate` gives the array for a file chunk's bytes
 * (SecureChannel passes a pool of reused buffers); other messages are small.
 */
export function encodePeerMessage(message: PeerMessage, allocate: Allocate = freshArray): Bytes {
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
    case 'file-offer':
      return utf8Encode(JSON.stringify({ id: message.id, name: message.name, size: message.size, mime: message.mime, sentAt: message.sentAt }));
    case 'file-accept':
    case 'file-done':
      return utf8Encode(JSON.stringify({ id: message.id }));
    case 'file-chunk':
      return encodeFileChunk(message.id, message.index, message.data, allocate);
    case 'file-end':
      return utf8Encode(JSON.stringify({ id: message.id, sha256: message.sha256 }));
    case 'file-ack':
      return utf8Encode(JSON.stringify({ id: message.id, received: message.received }));
    case 'file-cancel':
      return utf8Encode(JSON.stringify({ id: message.id, reason: message.reason }));
  }
}

function parseId(value: unknown): string {
  if (typeof value !== 'string' || !MESSAGE_ID_PATTERN.test(value)) throw malformed('invalid id');
  return value;
}

function parseByteCount(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0 || value > MAX_FILE_BYTES) throw malformed(`invalid ${what}`);
  return value;
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
    case RecordType.fileOffer: {
      const { id, name, size, mime, sentAt } = parseObject(plaintext, ['id', 'name', 'size', 'mime', 'sentAt']);
      // A name that needs cleaning was not sent by an honest Duet (it cleans before sending).
      if (typeof name !== 'string' || !isCleanFileName(name)) throw malformed('invalid file name');
      if (typeof mime !== 'string' || !isValidFileType(mime)) throw malformed('invalid file type');
      if (typeof sentAt !== 'number' || !Number.isSafeInteger(sentAt) || sentAt < 0) throw malformed('invalid time');
      return { type: 'file-offer', id: parseId(id), name, size: parseByteCount(size, 'file size'), mime, sentAt };
    }
    case RecordType.fileAccept:
      return { type: 'file-accept', id: parseId(parseObject(plaintext, ['id']).id) };
    case RecordType.fileDone:
      return { type: 'file-done', id: parseId(parseObject(plaintext, ['id']).id) };
    case RecordType.fileChunk:
      return parseFileChunk(plaintext);
    case RecordType.fileEnd: {
      const { id, sha256 } = parseObject(plaintext, ['id', 'sha256']);
      if (!isSha256Hex(sha256)) throw malformed('invalid file checksum');
      return { type: 'file-end', id: parseId(id), sha256 };
    }
    case RecordType.fileAck: {
      const { id, received } = parseObject(plaintext, ['id', 'received']);
      return { type: 'file-ack', id: parseId(id), received: parseByteCount(received, 'byte count') };
    }
    case RecordType.fileCancel: {
      const { id, reason } = parseObject(plaintext, ['id', 'reason']);
      if (!FILE_CANCEL_REASONS.includes(reason as FileCancelReason)) throw malformed('invalid cancel reason');
      return { type: 'file-cancel', id: parseId(id), reason: reason as FileCancelReason };
    }
    case RecordType.batch:
      throw malformed('a batch is not a single message (see parseRecordPayload)');
  }
}
