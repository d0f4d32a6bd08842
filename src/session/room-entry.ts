/**
 * The room on the signaling server: how this side enters it (the link's secret, or a
 * short code), the signaling connection, the host's invite, and finding the room again
 * after the server connection dropped. It knows nothing of peers or keys beyond the
 * room's own.
 */
import type { ClientMessage, RoomId, ServerMessage } from '../../signaling/protocol.ts';
import type { Bytes, RandomSource } from '../core/bytes.ts';
import { DuetError, toDuetError } from '../core/errors.ts';
import { type RoomKeys, deriveRoomKeys, encodeInviteCode, generateRoomSecret, inviteLink, parseInviteInput } from '../core/invite.ts';
import { formatShortCode, generatePassword, loadWordlist, looksLikeShortCode, parseShortCode } from '../core/short-code.ts';
import type { SignalingConnection } from '../transport/signaling-client.ts';
import type { Clock } from '../core/clock.ts';
import type { Invite, ShortCodeOffer } from './phases.ts';
import { ServerRedial } from './server-redial.ts';
import type { SessionTransport } from './session.ts';

/** How this side enters the room: with the link's secret, or with a short code's password. */
export type Entry = { kind: 'link'; secret: Bytes } | { kind: 'short'; nameplate: number; password: string };

/** A short code's secret words and the number the server gave it: what a PAKE needs. */
export interface ShortCode {
  password: string;
  nameplate: number;
}

/** The host's own short code: none, asked for (words being made, number awaited), or ready to read aloud. */
type HostShortCode = { state: 'none' } | { state: 'asking'; password: Promise<string> } | { state: 'ready'; code: ShortCode };

export interface RoomEntryHost {
  /** Every server message but those RoomEntry handles itself. */
  message(message: Exclude<ServerMessage, { type: 'created' | 'nameplate' | 'reconnect' | 'server-info' }>): void;
  invalid(error: DuetError): void;
  /** The signaling connection closed (it is already forgotten). */
  closed(): void;
  /** The host's room exists and its invite is ready. */
  roomReady(invite: Invite): void;
  /** The host's invite changed (its short code asked for, given or spent). */
  inviteChanged(invite: Invite): void;
  /** Something the person should know that changes nothing else (no short code was free). */
  notice(error: DuetError): void;
  /** The server could not be reached, or the room's keys not derived. */
  failed(error: DuetError): void;
  /** The server asked us to reconnect (it drains): true while the room is worth rejoining at once. */
  keepServer(): boolean;
  /** The host waits alone: its room closed with its socket, so it is made again (same id), not joined. */
  waitingAlone(): boolean;
}

export interface RoomEntryOptions {
  signalingUrl: string;
  appUrl: string;
  transport: Pick<SessionTransport, 'connectSignaling'>;
  random: RandomSource;
  clock: Clock;
}

export class RoomEntry {
  entry: Entry | undefined;
  /** Keys from the invite secret (link entry). */
  roomKeys: RoomKeys | undefined;
  /** The room as the server knows it (derived from the link, or told to a short-code guest). */
  roomId: RoomId | undefined;
  /** The host's invite, kept so the room can be offered again if a guest drops out early. */
  invite: Invite | undefined;
  private hostShortCode: HostShortCode = { state: 'none' };
  private signaling: SignalingConnection | undefined;
  private readonly redial: ServerRedial;

  constructor(
    private readonly host: RoomEntryHost,
    private readonly options: RoomEntryOptions,
  ) {
    this.redial = new ServerRedial({ clock: options.clock, reopen: () => this.reopen(() => host.keepServer()), wanted: () => host.keepServer() });
  }

  /** Reads an invite link, its code, or a short code; throws DuetError('invalid-code'). */
  async readInvite(input: string): Promise<Entry> {
    return looksLikeShortCode(input) ? { kind: 'short', ...parseShortCode(input, await loadWordlist()) } : { kind: 'link', secret: parseInviteInput(input) };
  }

  get connected(): boolean {
    return this.signaling !== undefined;
  }

  /**
   * The short code for a PAKE with a guest who came in by one: the guest's typed code,
   * or the host's own, which this spends (the server let one guest in with it; the next
   * needs a new code). Undefined if the host has none ready.
   */
  takeShortCode(): ShortCode | undefined {
    if (this.entry?.kind === 'short') return { password: this.entry.password, nameplate: this.entry.nameplate };
    const offer = this.hostShortCode;
    // Quietly: the phase moves on from waiting, and the invite is offered again (without it) if the guest drops out.
    this.setShortCode({ state: 'none' }, 'quietly');
    return offer.state === 'ready' ? offer.code : undefined;
  }

  /**
   * (Host, waiting) asks the server for a short code's number, while the secret words
   * are made here. Only rooms that ask get a number, so few are in use at a time.
   */
  requestShortCode(): void {
    if (this.entry?.kind !== 'link' || !this.invite || this.hostShortCode.state !== 'none' || !this.signaling) return;
    const password = loadWordlist().then((words) => generatePassword(words, this.options.random));
    password.catch(() => {});
    this.setShortCode({ state: 'asking', password });
    this.send({ type: 'claim-nameplate' });
  }

  /** (Host) makes a room secret, connects, and asks the server for the room. */
  async create(): Promise<void> {
    // The server connection opens while the keys are derived.
    const signaling = this.open();
    const secret = generateRoomSecret(this.options.random);
    if (await this.connect({ kind: 'link', secret }, signaling)) this.send({ type: 'create', room: this.roomKeys!.roomId });
  }

  /** (Guest) connects and asks for the room; `sent` runs once the request is out (not if the server could not be reached). */
  async join(entry: Entry, sent: () => void): Promise<void> {
    if (!(await this.connect(entry, this.open()))) return;
    if (entry.kind === 'link') this.send({ type: 'join', room: this.roomKeys!.roomId });
    else this.send({ type: 'join-short', nameplate: entry.nameplate });
    sent();
  }

  /** Derives the room's keys while `signaling` (already opening) connects. */
  private async connect(entry: Entry, signaling: Promise<SignalingConnection>): Promise<boolean> {
    this.entry = entry;
    signaling.catch(() => {});
    try {
      if (entry.kind === 'link') {
        this.roomKeys = await deriveRoomKeys(entry.secret);
        this.roomId = this.roomKeys.roomId;
      }
      this.signaling = await signaling;
      return true;
    } catch (error) {
      if (!this.signaling) signaling.then((opened) => opened.close(), () => {});
      this.host.failed(toDuetError(error, 'signaling-unreachable'));
      return false;
    }
  }

  private open(): Promise<SignalingConnection> {
    return this.options.transport.connectSignaling(this.options.signalingUrl, {
      onMessage: (message) => this.onMessage(message),
      onInvalid: (error) => this.host.invalid(error),
      onClose: () => {
        this.signaling = undefined;
        if (!this.redial.closed()) this.host.closed();
      },
    });
  }

  /**
   * Connects to the server again and asks for the room. Resolves 'opened', 'unwanted'
   * (`stillWanted` said no once it was open: closed again) or 'failed'.
   */
  async reopen(stillWanted: () => boolean): Promise<'opened' | 'unwanted' | 'failed'> {
    let signaling: SignalingConnection;
    try {
      signaling = await this.open();
    } catch {
      return 'failed';
    }
    if (!stillWanted() || this.signaling) {
      signaling.close();
      return 'unwanted';
    }
    this.signaling = signaling;
    if (this.roomId) signaling.send({ type: this.host.waitingAlone() ? 'create' : 'join', room: this.roomId });
    return 'opened';
  }

  /** False when there is no server connection to send it on. */
  send(message: ClientMessage): boolean {
    this.signaling?.send(message);
    return this.signaling !== undefined;
  }

  /** Tells the server we leave, and closes the connection. */
  leave(): void {
    this.send({ type: 'leave' });
    this.close();
  }

  close(): void {
    this.redial.stop();
    this.signaling?.close();
    this.signaling = undefined;
  }

  private onMessage(message: ServerMessage): void {
    switch (message.type) {
      case 'reconnect':
        return this.redial.reconnectAsked();
      case 'server-info':
        return;
      case 'created':
        return this.invite ? this.recreated() : this.showInvite();
      case 'nameplate':
        return void this.nameplateGiven(message.nameplate);
      case 'error':
        if (message.code === 'no-nameplate') return this.shortCodeRefused(new DuetError('no-nameplate'));
        break;
      case 'joined':
        this.roomId = message.room;
        break;
    }
    this.host.message(message);
  }

  private showInvite(): void {
    const entry = this.entry;
    if (entry?.kind !== 'link') return;
    const invite: Invite = { link: inviteLink(this.options.appUrl, entry.secret), code: encodeInviteCode(entry.secret), shortCode: { state: 'none' } };
    this.invite = invite;
    this.host.roomReady(invite);
  }

  /** The room is made again after a server restart: the link works as before; a short code did not survive it. */
  private recreated(): void {
    if (this.hostShortCode.state !== 'none') this.setShortCode({ state: 'none' });
  }

  private async nameplateGiven(nameplate: number): Promise<void> {
    const offer = this.hostShortCode;
    if (offer.state !== 'asking') return; // not asked for (or spent meanwhile): nothing to show
    let password: string;
    try {
      password = await offer.password;
    } catch (error) {
      // Without the word list there is no short code; the link still works.
      return this.shortCodeRefused(toDuetError(error, 'no-nameplate'));
    }
    if (this.hostShortCode !== offer) return;
    this.setShortCode({ state: 'ready', code: { password, nameplate } });
  }

  private shortCodeRefused(error: DuetError): void {
    if (this.hostShortCode.state !== 'asking') return;
    this.setShortCode({ state: 'none' });
    this.host.notice(error);
  }

  /** The one place the host's short code changes: the invite shows what it derives from it, and the host hears of it unless `quietly`. */
  private setShortCode(next: HostShortCode, tell: 'tell' | 'quietly' = 'tell'): void {
    this.hostShortCode = next;
    if (!this.invite) return;
    const shortCode: ShortCodeOffer = next.state === 'ready' ? { state: 'ready', code: formatShortCode(next.code) } : { state: next.state };
    this.invite = { ...this.invite, shortCode };
    if (tell === 'tell') this.host.inviteChanged(this.invite);
  }
}
