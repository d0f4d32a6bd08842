/**
 * The short-code exchange: CPace over the signaling server, before any sealed signal.
 * Two messages each way, a share then a confirmation, each one byte of kind and a
 * fixed-size body. Either both sides end with the same strong secret (which then plays
 * the part of a link's room secret), or the code did not match and the exchange fails.
 */
import { type Bytes, type RandomSource, concatBytes, fromBase64Url, toBase64Url } from '../core/bytes.ts';
import { DuetError, toDuetError } from '../core/errors.ts';
import { type RoomKeys, deriveRoomKeys } from '../core/invite.ts';
import type { PakeParty, PakeResult } from '../core/pake.ts';
import type { Role } from '../core/roles.ts';
import { PAKE_CONFIRM_BYTES, PAKE_SHARE_BYTES } from '../core/short-code.ts';

/** The keys that seal signals and bind the handshake for one peer: from the link, or from the PAKE. */
export type PeerKeys = Pick<RoomKeys, 'signalKey' | 'psk'>;

/** First byte of the exchange's payloads. */
const PakeMessage = { share: 1, confirm: 2 } as const;

export interface ShortCodeExchangeHost {
  /** Sends a payload through the signaling server, unsealed (it is a PAKE message). */
  send(payload: string): void;
  /** The code matched: these keys stand in for the room secret's. */
  agreed(keys: PeerKeys): void;
  /** The code did not match, or the exchange broke. */
  failed(error: DuetError): void;
}

export interface ShortCodeExchangeOptions {
  role: Role;
  password: string;
  roomId: string;
  /** The short code's number, as allocated by the server (never re-read from the display text). */
  nameplate: number;
  random: RandomSource;
}

export class ShortCodeExchange {
  private readonly party: Promise<PakeParty>;
  private result: PakeResult | undefined;
  private done = false;
  private cleared = false;

  constructor(
    private readonly host: ShortCodeExchangeHost,
    options: ShortCodeExchangeOptions,
  ) {
    const { role, password, roomId, nameplate, random } = options;
    // The PAKE is bound to this room and nameplate, so a share cannot be replayed elsewhere.
    // The curve code is loaded on demand.
    this.party = import('../core/pake.ts').then(({ PakeParty }) => new PakeParty(role, password, `${roomId}/${nameplate}`, random));
    this.party.then(
      (ready) => {
        if (!this.done && !this.cleared) this.sendMessage(PakeMessage.share, ready.share);
      },
      (error: unknown) => this.finish(toDuetError(error, 'code-mismatch')),
    );
  }

  /** Still agreeing: the peer's signals are PAKE messages, not sealed signals. */
  get pending(): boolean {
    return !this.done && !this.cleared;
  }

  /** One payload from the peer, through the server. */
  async receive(payload: string): Promise<void> {
    if (!this.pending) return;
    let bytes: Bytes;
    try {
      bytes = fromBase64Url(payload);
    } catch {
      this.finish(new DuetError('code-mismatch', 'malformed PAKE message'));
      return;
    }
    const kind = bytes[0];
    const body = bytes.subarray(1) as Bytes;
    try {
      if (kind === PakeMessage.share && !this.result && body.length === PAKE_SHARE_BYTES) {
        this.result = await (await this.party).finish(body);
        if (!this.cleared) this.sendMessage(PakeMessage.confirm, this.result.localConfirm);
        return;
      }
      if (kind === PakeMessage.confirm && this.result && body.length === PAKE_CONFIRM_BYTES) {
        if (!(await this.result.verifyPeer(body))) throw new DuetError('code-mismatch', 'confirmation did not verify');
        const { signalKey, psk } = await deriveRoomKeys(this.result.secret);
        this.finish({ signalKey, psk });
        return;
      }
      throw new DuetError('code-mismatch', 'unexpected PAKE message');
    } catch (error) {
      this.finish(toDuetError(error, 'code-mismatch'));
    }
  }

  /**
   * The peer is gone: nothing more is sent, and an outcome reached late (keys or a
   * mismatch) is dropped. Leaving early dodges nothing: the server spent the short
   * code when that peer joined with it.
   */
  clearPeer(): void {
    this.cleared = true;
  }

  private finish(outcome: PeerKeys | DuetError): void {
    if (this.done) return;
    this.done = true;
    if (this.cleared) return;
    if (outcome instanceof DuetError) this.host.failed(outcome);
    else this.host.agreed(outcome);
  }

  private sendMessage(kind: number, body: Bytes): void {
    this.host.send(toBase64Url(concatBytes(new Uint8Array([kind]), body)));
  }
}
