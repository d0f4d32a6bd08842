/**
 * A secure channel: it runs the handshake over one path and carries PeerMessages in
 * sealed records over another, an ordered, reliable byte pipe. In the app the
 * handshake travels as sealed signals through the server, so it runs while WebRTC
 * is still connecting, and the records travel on the data channel; in tests both
 * are in-memory. Nothing but handshake messages is ever sent without a record's
 * protection, and nothing is delivered that did not pass the record checks.
 */
import { BufferPool } from './buffer-pool.ts';
import type { Bytes, RandomSource } from './bytes.ts';
import { secureRandom } from './bytes.ts';
import { type Clock, systemClock } from './clock.ts';
import { DuetError } from './errors.ts';
import { Handshake, type HandshakeConfig, type HandshakeOptions, type RsaIdentity, type SessionKeys } from './handshake.ts';
import {
  BATCH_ENTRY_OVERHEAD,
  MAX_BATCH_ENTRIES,
  type PeerMessage,
  encodeBatch,
  encodePeerMessage,
  parseRecordPayload,
  recordTypeOf,
} from './messages.ts';
import { MAX_PLAINTEXT_BYTES, RecordOpener, RecordSealer, RecordType } from './record.ts';
import type { Role } from './roles.ts';

/** Handshake messages use types below this value, records use it and above. */
const FIRST_RECORD_TYPE = 0x10;

/**
 * File data: sealed only when the wire has room (see SecureChannelOptions.drained),
 * one record at a time, so that every other message (chat, receipts, typing, file
 * control) is sealed at once and goes out ahead of the file data still waiting.
 * file-end is file data too: it must follow its transfer's last chunk.
 */
const BULK_MESSAGES: ReadonlySet<PeerMessage['type']> = new Set(['file-chunk', 'file-end']);
/**
 * File-data records sealed ahead of the wire at once: enough to keep WebCrypto busy
 * (sealing is pipelined), and all a message sealed now can find in front of it
 * besides what the data channel buffers.
 */
const BULK_SEALED_AHEAD = 4;

export interface SecureChannelOptions {
  role: Role;
  identity: RsaIdentity;
  psk: Bytes;
  /** See HandshakeOptions.previousPsk. */
  previousPsk?: Bytes;
  /** Both DTLS fingerprints, once the offer and answer are known (see HandshakeOptions). */
  fingerprints: HandshakeOptions['fingerprints'];
  /** Sends one handshake message to the peer; the peer feeds it to receiveHandshake(). */
  sendHandshake: (bytes: Bytes) => void;
  /**
   * Puts a record on the wire (the data channel); the peer feeds it to receive(). It must
   * be done with the bytes when it returns, as RTCDataChannel.send is (it copies them):
   * their buffer is reused for a later record.
   */
  send: (bytes: Bytes) => void;
  /**
   * Resolves once the wire has room for more file data (the data channel's buffer is
   * low); file data waits for it before it is sealed, other messages never do.
   * Default: always room.
   */
  drained?: () => Promise<void>;
  /** An authentic, valid message from the peer. */
  onMessage: (message: PeerMessage) => void;
  /** A received message was refused (forged, replayed, malformed); the channel goes on. */
  onRejected: (error: DuetError) => void;
  config?: Partial<HandshakeConfig>;
  clock?: Clock;
  random?: RandomSource;
}

/** A message waiting for the end of its burst to be sealed, and who to tell when it is sent. */
interface BurstEntry {
  type: RecordType;
  plaintext: Bytes;
  sent: { resolve: () => void; reject: (error: unknown) => void };
}

export class SecureChannel {
  private readonly options: SecureChannelOptions;
  private readonly handshake: Handshake;
  private sealer: RecordSealer | undefined;
  private opener: RecordOpener | undefined;
  /** Records that arrived before our side finished the handshake. */
  private early: Bytes[] = [];
  private outbound: Promise<void> = Promise.resolve();
  /** Messages sent in the current burst (this microtask), sealed together when it ends. */
  private burst: BurstEntry[] = [];
  /** File data waiting for room on the wire, in call order (see BULK_MESSAGES). */
  private bulk: BurstEntry[] = [];
  private bulkPumping = false;
  /** Buffers for large plaintexts (file chunks), reused once sealing has read them. */
  private readonly plaintexts = new BufferPool();
  private readonly allocatePlaintext = (length: number) => this.plaintexts.take(length);
  /** The "bye" record, sealed in advance so leaving can send it synchronously. */
  private finalBye: Bytes | undefined;
  private closed = false;
  /** When the last record went on the wire (clock time), for keepalives. */
  lastSentAt = 0;

  constructor(options: SecureChannelOptions) {
    this.options = options;
    this.handshake = new Handshake({
      role: options.role,
      identity: options.identity,
      psk: options.psk,
      ...(options.previousPsk ? { previousPsk: options.previousPsk } : {}),
      fingerprints: options.fingerprints,
      send: options.sendHandshake,
      ...(options.config ? { config: options.config } : {}),
      ...(options.clock ? { clock: options.clock } : {}),
      ...(options.random ? { random: options.random } : {}),
    });
  }

  get established(): boolean {
    return this.opener !== undefined;
  }

  /** Runs the handshake; resolves with the safety code and the transcript hash it was derived from. */
  async establish(): Promise<Pick<SessionKeys, 'safetyCode' | 'transcriptHash' | 'resumptionSecret' | 'pskUsed'>> {
    const keys = await this.handshake.run();
    this.sealer = new RecordSealer(keys.sendAes, keys.sendMac, this.options.random ?? secureRandom);
    this.opener = new RecordOpener(keys.receiveAes, keys.receiveMac);
    const bye: PeerMessage = { type: 'bye' };
    this.finalBye = await this.sealer.sealFinal(recordTypeOf(bye.type), encodePeerMessage(bye));
    const early = this.early;
    this.early = [];
    for (const record of early) this.openRecord(record);
    return { safetyCode: keys.safetyCode, transcriptHash: keys.transcriptHash, resumptionSecret: keys.resumptionSecret, pskUsed: keys.pskUsed };
  }

  /** Feeds one handshake message from the peer (what its sendHandshake sent). */
  receiveHandshake(bytes: Bytes): void {
    if (this.closed) return;
    // Retransmissions of the finished handshake are harmless; anything else is noise.
    if (this.established) return;
    this.handshake.receive(bytes);
  }

  /** Feeds one frame from the wire (the data channel), where only records travel. */
  receive(bytes: Bytes): void {
    if (this.closed) return;
    if (bytes.length < 2) {
      this.options.onRejected(new DuetError('record-malformed', 'frame too short'));
      return;
    }
    if (bytes[1]! < FIRST_RECORD_TYPE) {
      this.options.onRejected(new DuetError('record-malformed', 'a handshake message on the data channel'));
      return;
    }
    if (!this.opener) {
      this.early.push(bytes);
      return;
    }
    this.openRecord(bytes);
  }

  private openRecord(bytes: Bytes): void {
    const opener = this.opener!;
    opener.open(bytes).then(
      (record) => {
        if (this.closed) return;
        let messages: PeerMessage[];
        try {
          messages = parseRecordPayload(record.type, record.plaintext);
        } catch (error) {
          this.options.onRejected(error as DuetError);
          return;
        }
        for (const message of messages) this.options.onMessage(message);
      },
      (error: unknown) => {
        if (this.closed) return;
        this.options.onRejected(error instanceof DuetError ? error : new DuetError('record-malformed', undefined, { cause: error }));
      },
    );
  }

  /**
   * Sends one message; resolves once it is on the wire. Messages sent in the same
   * burst (the same microtask) share one record when there are several (a batch),
   * so a burst costs one record's cryptography; records are sealed at once
   * (pipelined) and go on the wire in call order, except file data (BULK_MESSAGES),
   * which waits in its own queue for room on the wire and goes out after any other
   * message sent meanwhile (in order among itself). Rejects with
   * DuetError('not-connected') before the handshake or after close,
   * ('message-too-long') if a message does not fit a record.
   */
  send(message: PeerMessage): Promise<void> {
    if (!this.sealer || this.closed) return Promise.reject(new DuetError('not-connected'));
    const plaintext = encodePeerMessage(message, this.allocatePlaintext);
    return new Promise<void>((resolve, reject) => {
      const entry: BurstEntry = { type: recordTypeOf(message.type), plaintext, sent: { resolve, reject } };
      if (BULK_MESSAGES.has(message.type)) {
        this.bulk.push(entry);
        void this.pumpBulk();
        return;
      }
      this.burst.push(entry);
      if (this.burst.length === 1) queueMicrotask(() => this.sealBurst());
    });
  }

  /**
   * Seals file data one record at a time, each once the wire has room and fewer than
   * BULK_SEALED_AHEAD are being sealed: a message sent meanwhile is sealed at once, so
   * it takes a sequence number (and its place on the wire) ahead of the data still queued.
   */
  private async pumpBulk(): Promise<void> {
    if (this.bulkPumping) return;
    this.bulkPumping = true;
    const ahead: Promise<void>[] = [];
    try {
      while (this.bulk.length > 0 && !this.closed) {
        await this.options.drained?.();
        const entry = this.bulk.shift();
        if (!entry) break;
        ahead.push(this.sealAndSend([entry]));
        if (ahead.length >= BULK_SEALED_AHEAD) await ahead.shift();
      }
    } finally {
      this.bulkPumping = false;
    }
  }

  /** Cuts the burst into records that fit (one message alone keeps its own record type) and sends them. */
  private sealBurst(): void {
    const burst = this.burst;
    this.burst = [];
    let group: BurstEntry[] = [];
    let groupBytes = 0;
    const flush = () => {
      if (group.length > 0) this.sealAndSend(group);
      group = [];
      groupBytes = 0;
    };
    for (const entry of burst) {
      const size = BATCH_ENTRY_OVERHEAD + entry.plaintext.length;
      if (groupBytes + size > MAX_PLAINTEXT_BYTES || group.length === MAX_BATCH_ENTRIES) flush();
      group.push(entry);
      groupBytes += size;
    }
    flush();
  }

  /** Seals `group` as one record now and puts it on the wire after the records before it; resolves (never rejects) once it is settled. */
  private sealAndSend(group: BurstEntry[]): Promise<void> {
    const settle = (error?: unknown) => {
      for (const { sent } of group) {
        if (error === undefined) sent.resolve();
        else sent.reject(error);
      }
    };
    if (!this.sealer || this.closed) {
      settle(new DuetError('not-connected'));
      return Promise.resolve();
    }
    const only = group.length === 1 ? group[0]! : undefined;
    const sealed = only ? this.sealer.seal(only.type, only.plaintext) : this.sealer.seal(RecordType.batch, encodeBatch(group));
    // seal() has read the plaintexts (WebCrypto copies its input when called): their buffers can hold later messages.
    for (const entry of group) this.plaintexts.give(entry.plaintext);
    // Its failure is reported through `sent` below, once the records before it went out.
    sealed.catch(() => {});
    const sent = this.outbound.then(async () => {
      const bytes = await sealed;
      if (this.closed) throw new DuetError('not-connected');
      this.options.send(bytes);
      // send() is done with the bytes (the data channel copies them): the buffer can serve a later record.
      this.sealer?.recycle(bytes);
      this.lastSentAt = (this.options.clock ?? systemClock).now();
    });
    this.outbound = sent.catch(() => {});
    return sent.then(
      () => settle(),
      (error: unknown) => settle(error),
    );
  }

  /** Resolves once every record received so far has been opened (or refused) and handed on. */
  settled(): Promise<void> {
    return this.opener?.settled() ?? Promise.resolve();
  }

  /**
   * Sends the pre-sealed "bye" at once (no await: it works while the page unloads)
   * and closes the channel. Returns whether it was sent.
   */
  sayGoodbye(): boolean {
    const bye = this.finalBye;
    if (!bye || this.closed) return false;
    try {
      this.options.send(bye);
    } catch {
      return false;
    } finally {
      this.close();
    }
    return true;
  }

  close(reason: DuetError = new DuetError('not-connected')): void {
    if (this.closed) return;
    this.closed = true;
    // File data still waiting will never be sealed: its senders hear so now.
    for (const { sent } of this.bulk.splice(0)) sent.reject(new DuetError('not-connected'));
    this.handshake.abort(reason);
  }
}
