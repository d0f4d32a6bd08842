/**
 * A secure channel over any ordered, reliable byte pipe (in the app: a WebRTC data
 * channel; in tests: an in-memory pair). It runs the handshake, then carries
 * PeerMessages in sealed records. Nothing but handshake messages is ever sent in
 * the clear, and nothing is delivered that did not pass the record checks.
 */
import type { Bytes, RandomSource } from './bytes.ts';
import { secureRandom } from './bytes.ts';
import { type Clock, systemClock } from './clock.ts';
import { DuetError } from './errors.ts';
import { Handshake, type HandshakeConfig, type RsaIdentity, type SessionKeys } from './handshake.ts';
import { type PeerMessage, encodePeerMessage, parsePeerMessage, recordTypeOf } from './messages.ts';
import { RecordOpener, RecordSealer } from './record.ts';
import type { Role } from './roles.ts';

/** Handshake messages use types below this value, records use it and above. */
const FIRST_RECORD_TYPE = 0x10;

export interface SecureChannelOptions {
  role: Role;
  identity: RsaIdentity;
  psk: Bytes;
  localFingerprint: string;
  remoteFingerprint: string;
  /** Puts bytes on the wire. */
  send: (bytes: Bytes) => void;
  /** An authentic, valid message from the peer. */
  onMessage: (message: PeerMessage) => void;
  /** A received message was refused (forged, replayed, malformed); the channel goes on. */
  onRejected: (error: DuetError) => void;
  config?: Partial<HandshakeConfig>;
  clock?: Clock;
  random?: RandomSource;
}

export class SecureChannel {
  private readonly options: SecureChannelOptions;
  private readonly handshake: Handshake;
  private sealer: RecordSealer | undefined;
  private opener: RecordOpener | undefined;
  /** Records that arrived before our side finished the handshake. */
  private early: Bytes[] = [];
  private outbound: Promise<void> = Promise.resolve();
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
      localFingerprint: options.localFingerprint,
      remoteFingerprint: options.remoteFingerprint,
      send: options.send,
      ...(options.config ? { config: options.config } : {}),
      ...(options.clock ? { clock: options.clock } : {}),
      ...(options.random ? { random: options.random } : {}),
    });
  }

  get established(): boolean {
    return this.opener !== undefined;
  }

  /** Runs the handshake; resolves with the safety code and the transcript hash it was derived from. */
  async establish(): Promise<Pick<SessionKeys, 'safetyCode' | 'transcriptHash' | 'resumptionSecret'>> {
    const keys = await this.handshake.run();
    this.sealer = new RecordSealer(keys.sendAes, keys.sendMac, this.options.random ?? secureRandom);
    this.opener = new RecordOpener(keys.receiveAes, keys.receiveMac);
    const bye: PeerMessage = { type: 'bye' };
    this.finalBye = await this.sealer.sealFinal(recordTypeOf(bye), encodePeerMessage(bye));
    const early = this.early;
    this.early = [];
    for (const record of early) this.openRecord(record);
    return { safetyCode: keys.safetyCode, transcriptHash: keys.transcriptHash, resumptionSecret: keys.resumptionSecret };
  }

  /** Feeds one frame from the wire. */
  receive(bytes: Bytes): void {
    if (this.closed) return;
    if (bytes.length < 2) {
      this.options.onRejected(new DuetError('record-malformed', 'frame too short'));
      return;
    }
    if (bytes[1]! < FIRST_RECORD_TYPE) {
      if (this.established) {
        // Retransmissions of the finished handshake are harmless; anything else is noise.
        return;
      }
      this.handshake.receive(bytes);
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
        let message: PeerMessage;
        try {
          message = parsePeerMessage(record.type, record.plaintext);
        } catch (error) {
          this.options.onRejected(error as DuetError);
          return;
        }
        this.options.onMessage(message);
      },
      (error: unknown) => {
        if (this.closed) return;
        this.options.onRejected(error instanceof DuetError ? error : new DuetError('record-malformed', undefined, { cause: error }));
      },
    );
  }

  /**
   * Seals and sends one message. Sealing starts at once (pipelined) while frames go
   * on the wire in call order. Rejects with DuetError('not-connected') before the
   * handshake or after close, ('message-too-long') if it does not fit a record.
   */
  send(message: PeerMessage): Promise<void> {
    if (!this.sealer || this.closed) return Promise.reject(new DuetError('not-connected'));
    const sealed = this.sealer.seal(recordTypeOf(message), encodePeerMessage(message));
    const sent = this.outbound.then(async () => {
      const bytes = await sealed;
      if (this.closed) throw new DuetError('not-connected');
      this.options.send(bytes);
      this.lastSentAt = (this.options.clock ?? systemClock).now();
    });
    this.outbound = sent.catch(() => {});
    return sent;
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
    this.handshake.abort(reason);
  }
}
