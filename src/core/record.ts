/**
 * The record layer: every byte after the handshake travels in one of these.
 *
 *   version (1) | type (1) | sequence (8, big-endian) | IV (12) | ciphertext (n + 16) | HMAC (32)
 *
 * AES-256-GCM encrypts, with the 22-byte header as additional data. HMAC-SHA256
 * over header and ciphertext (the original project's integrity tag) is checked
 * first, with the direction's own key, so a record is never decrypted unless it
 * is authentic. Sequence numbers start at 1 and must strictly increase per
 * direction: a replayed or reordered record is refused.
 */
import { BufferPool } from './buffer-pool.ts';
import { type Bytes, type RandomSource, secureRandom } from './bytes.ts';
import { DuetError } from './errors.ts';
import { WIRE_VERSION } from './handshake.ts';

export const RecordType = {
  profile: 0x10,
  chat: 0x11,
  bye: 0x12,
  receipt: 0x13,
  typing: 0x14,
  keepalive: 0x15,
  fileOffer: 0x16,
  fileAccept: 0x17,
  fileChunk: 0x18,
  fileEnd: 0x19,
  fileAck: 0x1a,
  fileDone: 0x1b,
  fileCancel: 0x1c,
  /** Several messages sent in one burst, in one record (see encodeBatch in messages.ts). */
  batch: 0x1d,
} as const;
export type RecordType = (typeof RecordType)[keyof typeof RecordType];

const RECORD_TYPES: ReadonlySet<number> = new Set(Object.values(RecordType));

export const HEADER_BYTES = 1 + 1 + 8 + 12;
const IV_BYTES = 12;
const GCM_TAG_BYTES = 16;
const MAC_BYTES = 32;
export const RECORD_OVERHEAD = HEADER_BYTES + GCM_TAG_BYTES + MAC_BYTES;
/** Largest plaintext in one record; keeps records under WebRTC's 256 KiB message limit. */
export const MAX_PLAINTEXT_BYTES = 192 * 1024;
export const MAX_RECORD_BYTES = MAX_PLAINTEXT_BYTES + RECORD_OVERHEAD;
const FINAL_SEQUENCE = 0xffff_ffff_ffff_ffffn;

export function isRecordType(value: number): value is RecordType {
  return RECORD_TYPES.has(value);
}

export interface OpenedRecord {
  type: RecordType;
  sequence: bigint;
  plaintext: Bytes;
}

export class RecordSealer {
  private sequence = 0n;
  /**
   * Each record is assembled in one buffer (header, ciphertext, HMAC) so that it goes
   * out as one data-channel message; given back with recycle() once it is on the wire
   * (the data channel copies what it sends), the buffer holds a later record.
   */
  private readonly buffers = new BufferPool();

  constructor(
    private readonly aesKey: CryptoKey,
    private readonly macKey: CryptoKey,
    private readonly random: RandomSource = secureRandom,
  ) {}

  /**
   * Seals one record. The sequence number is taken synchronously, so records must be
   * put on the wire in the order seal() was called. The plaintext is read before seal()
   * returns (WebCrypto copies its input when called): the caller may reuse or release it.
   */
  async seal(type: RecordType, plaintext: Bytes): Promise<Bytes> {
    if (plaintext.length > MAX_PLAINTEXT_BYTES) throw new DuetError('message-too-long', `${plaintext.length} bytes`);
    this.sequence += 1n;
    return this.sealAt(this.sequence, type, plaintext);
  }

  /**
   * Seals a record with the largest sequence number, ahead of time. Nothing can
   * follow it, so it suits the last word of a conversation ("bye"), which must go
   * out synchronously while a page is being closed, with no time left for crypto.
   */
  async sealFinal(type: RecordType, plaintext: Bytes): Promise<Bytes> {
    return this.sealAt(FINAL_SEQUENCE, type, plaintext);
  }

  /**
   * Gives back a record from seal() once it is on the wire, so its buffer can hold a
   * later record. The caller must not read or keep it afterwards; not calling this
   * is always safe (the buffer is then left to the garbage collector).
   */
  recycle(record: Bytes): void {
    this.buffers.give(record);
  }

  private async sealAt(sequence: bigint, type: RecordType, plaintext: Bytes): Promise<Bytes> {
    const header = new Uint8Array(HEADER_BYTES);
    const view = new DataView(header.buffer);
    view.setUint8(0, WIRE_VERSION);
    view.setUint8(1, type);
    view.setBigUint64(2, sequence);
    header.set(this.random(IV_BYTES), 10);
    const ciphertext = new Uint8Array(
      await crypto.subtle.encrypt({ name: 'AES-GCM', iv: header.subarray(10), additionalData: header }, this.aesKey, plaintext),
    );
    // One buffer for the whole record (bulk transfers seal thousands a second).
    const record = this.buffers.take(HEADER_BYTES + ciphertext.length + MAC_BYTES);
    record.set(header);
    record.set(ciphertext, HEADER_BYTES);
    const macAt = HEADER_BYTES + ciphertext.length;
    record.set(new Uint8Array(await crypto.subtle.sign('HMAC', this.macKey, record.subarray(0, macAt))), macAt);
    return record;
  }
}

export class RecordOpener {
  private lastSequence = 0n;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly aesKey: CryptoKey,
    private readonly macKey: CryptoKey,
  ) {}

  /**
   * Verifies and decrypts one record (its bytes must not change until this settles);
   * throws a DuetError (record-malformed,
   * record-too-large, record-forged, record-replayed, unsupported-version) and
   * leaves the state unchanged if it is refused. The cryptography of several
   * records runs at once (a bulk transfer would otherwise wait on two WebCrypto
   * round trips per record), but records are accepted strictly in call order,
   * each only if its sequence number is above the last accepted one.
   */
  open(record: Bytes): Promise<OpenedRecord> {
    const authentic = this.authenticate(record);
    authentic.catch(() => {});
    const result = this.queue.then(async () => {
      const opened = await authentic;
      if (opened.sequence <= this.lastSequence) {
        throw new DuetError('record-replayed', `sequence ${opened.sequence} after ${this.lastSequence}`);
      }
      this.lastSequence = opened.sequence;
      return opened;
    });
    this.queue = result.catch(() => {});
    return result;
  }

  /** Resolves when every record passed to open() so far has been processed. */
  async settled(): Promise<void> {
    await this.queue;
  }

  /**
   * Checks shape, then the HMAC, and only then decrypts; the sequence check is open()'s,
   * in order. (Checking both tags at once was measured: no faster, since Chromium runs
   * WebCrypto on the calling thread, so the order costs nothing.) The record is not
   * copied (bulk transfers open thousands a second): the header is read and copied
   * here, synchronously, and WebCrypto copies its input when called. Bytes changed
   * later by the caller (which must not happen) could only make AES-GCM refuse the
   * record, never change what it yields.
   */
  private async authenticate(record: Bytes): Promise<OpenedRecord> {
    if (record.length > MAX_RECORD_BYTES) throw new DuetError('record-too-large', `${record.length} bytes`);
    if (record.length < RECORD_OVERHEAD) throw new DuetError('record-malformed', 'too short');
    const header = record.slice(0, HEADER_BYTES);
    const view = new DataView(header.buffer);
    if (view.getUint8(0) !== WIRE_VERSION) throw new DuetError('unsupported-version', `version ${view.getUint8(0)}`);
    const type = view.getUint8(1);
    if (!isRecordType(type)) throw new DuetError('record-malformed', `unknown type ${type}`);
    const sequence = view.getBigUint64(2);

    const macAt = record.length - MAC_BYTES;
    const authentic = await crypto.subtle.verify('HMAC', this.macKey, record.subarray(macAt), record.subarray(0, macAt));
    if (!authentic) throw new DuetError('record-forged', 'HMAC mismatch');
    let plaintext: Bytes;
    try {
      plaintext = new Uint8Array(
        await crypto.subtle.decrypt(
          { name: 'AES-GCM', iv: header.subarray(10), additionalData: header },
          this.aesKey,
          record.subarray(HEADER_BYTES, macAt),
        ),
      );
    } catch {
      throw new DuetError('record-forged', 'AES-GCM authentication failed');
    }
    return { type, sequence, plaintext };
  }
}
