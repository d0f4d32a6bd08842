/**
 * The links to the current peer: the keys agreed for it (the link's, or a short
 * code's through the PAKE), the signals bound to its attempts, and one
 * ConnectionAttempt at a time. The Connector decides when; this unit knows how.
 */
import { type Bytes, fromBase64Url } from '../core/bytes.ts';
import { DuetError, toDuetError } from '../core/errors.ts';
import type { PeerMessage } from '../core/messages.ts';
import { type Role, otherRole } from '../core/roles.ts';
import type { SecureChannel } from '../core/secure-channel.ts';
import type { SignalData } from '../core/signal-seal.ts';
import type { LinkRoute, PeerLinkDiagnostics } from '../transport/peer-link.ts';
import { type AttemptSecured, ConnectionAttempt } from './attempt.ts';
import type { ConnectorHost } from './connector.ts';
import { LinkCode } from './link-code.ts';
import { type PeerKeys, ShortCodeExchange, type ShortCodeExchangeOptions } from './short-code-exchange.ts';
import type { IceChoice } from './ice-supply.ts';
import { SignalBinding } from './signal-binding.ts';

export interface PeerLinksHost extends Pick<ConnectorHost, 'options' | 'clock' | 'random' | 'identity' | 'phases' | 'counters' | 'trust' | 'notify' | 'myName' | 'role' | 'ice'> {
  /** Puts a payload (sealed signal or PAKE message) on the signaling connection. */
  sendSignal(payload: string): void;
  linkClosed(error: DuetError | undefined): void;
  iceState(state: RTCIceConnectionState): void;
  /** The current link's route may have changed (see AttemptHost). */
  routeMayHaveChanged(): void;
  message(message: PeerMessage): void;
  /** A new session's keys are agreed and its link is up: keepalives start. */
  started(): void;
  /** Resolves when the peer's next profile has been handled. */
  expectIntroduction(): Promise<void>;
  /** A new session is secure and the peer introduced itself. */
  introduced(safetyCode: string): void;
  /** A resumed session is secure again. */
  resumed(): void;
  /** The connection is gone while secure: restore it. */
  lost(reason: DuetError): void;
  /** Closes the link, keeping the keys (and tells the reconnection). */
  dropLink(): void;
  /** Before the conversation is secure, the peer could not prove it holds the room's keys. */
  rejectPeer(error: DuetError): void;
  fail(error: DuetError): void;
}

export class PeerLinks {
  private readonly binding: SignalBinding;
  /** The keys sealing signals and binding the handshake for the current peer. */
  private peerKeys: PeerKeys | undefined;
  private shortCode: ShortCodeExchange | undefined;
  private attempt: ConnectionAttempt | undefined;
  private currentTranscript: Bytes | undefined;
  /** From the last secure session: lets the same two peers resume after a broken connection. */
  private resumptionSecret: Bytes | undefined;
  /** The resumption secret before it, which a peer that missed the last switch still holds. */
  private previousResumptionSecret: Bytes | undefined;
  /** Signals from the peer, opened strictly in arrival order. */
  private signalQueue: Promise<void> = Promise.resolve();
  /** The code that makes peer links, loaded as the conversation starts; a failure in the lobby (a join still reading its code) is tried again as the room is entered. */
  readonly code = new LinkCode({
    load: () => this.host.options.transport.loadPeerLinks(),
    failed: (error) => this.host.phases.is('lobby', 'ended', 'failed') || this.host.fail(error),
  });

  constructor(private readonly host: PeerLinksHost) {
    this.binding = new SignalBinding({
      random: host.random,
      deliver: (payload) => host.sendSignal(payload),
      failed: (error) => host.fail(error),
      policy: () => ({
        acceptUnbound: host.role() === 'guest' && host.phases.is('secure', 'reconnecting'),
        reconnecting: host.phases.is('reconnecting'),
      }),
    });
  }

  /** A PAKE or an attempt under way: the peer is being connected already. */
  get busy(): boolean {
    return this.attempt !== undefined || this.shortCode !== undefined;
  }

  /** A short-code exchange is still running (the peer's signals are PAKE messages). */
  get agreeing(): boolean {
    return this.shortCode?.pending === true;
  }

  get hasAttempt(): boolean {
    return this.attempt !== undefined;
  }

  get channel(): SecureChannel | undefined {
    return this.attempt?.channel;
  }

  /** The secure channel is the conversation's (secure, or being kept through an ICE restart). */
  get channelLive(): boolean {
    const status = this.host.phases.status;
    return status.phase === 'secure' || (status.phase === 'reconnecting' && status.stage === 'ice-restart');
  }

  /** The transcript hash of the current new session, which identity proofs are checked against. */
  get transcriptHash(): Bytes | undefined {
    return this.currentTranscript;
  }

  /** The link's keys are the peer's: the host opens an attempt. */
  useKeys(keys: PeerKeys): void {
    this.peerKeys = keys;
    this.beginAttempt();
  }

  /** Agrees keys from a short code first (the PAKE), then opens an attempt. */
  agreeByShortCode(options: Omit<ShortCodeExchangeOptions, 'random'>): void {
    this.shortCode = new ShortCodeExchange(
      {
        send: (payload) => this.host.sendSignal(payload),
        agreed: (keys) => this.useKeys(keys),
        failed: (error) => this.host.rejectPeer(error),
      },
      { ...options, random: this.host.random },
    );
  }

  send(message: PeerMessage): Promise<void> {
    const channel = this.attempt?.channel;
    return channel ? channel.send(message) : Promise.reject(new DuetError('not-connected'));
  }

  drained(): Promise<void> {
    return this.attempt?.drained() ?? Promise.resolve();
  }

  settled(): Promise<void> {
    return this.attempt?.settled() ?? Promise.resolve();
  }

  diagnostics(): Promise<PeerLinkDiagnostics> | undefined {
    return this.attempt?.diagnostics();
  }

  route(): Promise<LinkRoute> | undefined {
    return this.attempt?.route();
  }

  sayGoodbye(): void {
    this.attempt?.sayGoodbye();
  }

  breakLink(reason: DuetError): void {
    this.attempt?.breakLink(reason);
  }

  /** A new session: the last one's resumption secret must not carry over. */
  forgetResumption(): void {
    this.resumptionSecret = undefined;
    this.previousResumptionSecret = undefined;
  }

  /**
   * Ends the attempt and lets go of the peer. `keepKeys`: the connection is being
   * restored, so the next attempt still needs the peer's keys.
   */
  clearPeer(keepKeys = false): void {
    const attempt = this.attempt;
    this.attempt = undefined;
    this.code.forgetWaiting();
    this.binding.clearPeer();
    if (!keepKeys) this.peerKeys = undefined;
    this.shortCode?.clearPeer();
    this.shortCode = undefined;
    attempt?.dispose();
  }

  /**
   * Keys are agreed. The host opens the attempt with a fresh nonce that binds every
   * later signal, so nothing recorded from an earlier attempt can be replayed; the
   * guest starts once it has that nonce.
   */
  beginAttempt(): void {
    // The link code and fresh TURN credentials first: the nonce tells the guest to make its
    // connection at once, and the host makes its own right after sending it.
    if (this.host.role() === 'host' && this.peerKeys) this.code.whenLoaded(() => this.host.ice.whenFresh(() => this.openAttempt()));
  }

  private openAttempt(): void {
    const keys = this.peerKeys;
    if (this.host.role() !== 'host' || !keys || !this.iceChoice()) return;
    const nonce = this.binding.newAttempt();
    // The nonce goes out before the host makes its peer connection (several milliseconds of
    // main thread, which would hold the nonce back): the guest, who makes the offer, starts
    // that much sooner. The offer cannot come first: the link is made right after the send,
    // before this page handles any later message.
    void this.binding.seal(keys.signalKey, 'host', { type: 'session', nonce }, undefined).then(() => {
      if (this.binding.attempt === nonce && this.host.phases.is('connecting', 'reconnecting')) this.startAttempt();
    });
  }

  /**
   * The guest makes the WebRTC offer. Signals are sealed with the peer keys and the
   * session nonce. The handshake starts with the link and runs through the same
   * sealed signals, so it is done by the time the data channel opens.
   */
  private startAttempt(): void {
    const role = this.host.role();
    const keys = this.peerKeys;
    const nonce = this.binding.attempt;
    if (this.attempt || !role || !keys || nonce === undefined) return;
    const { options, clock, random } = this.host;
    const createPeerLink = this.code.create; // without it (its load failed) the conversation has failed already
    if (!createPeerLink) return;
    const ice = this.iceChoice();
    if (!ice) return;
    const attempt: ConnectionAttempt = new ConnectionAttempt(
      {
        sendSignal: (signal) => {
          // Bound to the attempt, and to its latest ICE restart if there was one.
          const binding = this.binding.attempt === nonce ? this.binding.current()! : nonce;
          void this.binding.seal(keys.signalKey, role, signal, binding, () => this.attempt === attempt);
        },
        linkUp: () => {
          // A resumed session stays "reconnecting" (with its safety code) until it is secure again.
          this.host.phases.dispatch({ type: 'link-up' });
        },
        secured: (result) => this.onSecured(attempt, result),
        failed: (error) => this.onAttemptFailed(error),
        closed: (error) => this.host.linkClosed(error),
        iceState: (state) => this.host.iceState(state),
        routeMayHaveChanged: () => this.host.routeMayHaveChanged(),
        message: (message) => this.host.message(message),
        rejected: (error) => this.host.notify(error),
      },
      {
        role,
        identity: this.host.identity,
        // Resuming, the secret of the last session stands in for the room's: only the
        // same two peers hold it, so nobody else can slip in while the link is down.
        psk: this.resumptionSecret ?? keys.psk,
        ...(this.resumptionSecret && this.previousResumptionSecret ? { previousPsk: this.previousResumptionSecret } : {}),
        ...ice,
        handshake: options.handshake,
        clock,
        random,
        createPeerLink,
      },
    );
    this.attempt = attempt;
    try {
      attempt.start();
      this.host.counters.peerConnections++;
    } catch (error) {
      this.host.fail(toDuetError(error, 'peer-connection-failed'));
    }
  }

  /** The ICE servers and policy for a new connection; undefined (and the conversation failed) when relay-only cannot be met. */
  private iceChoice(): IceChoice | undefined {
    try {
      return this.host.ice.current();
    } catch (error) {
      this.host.fail(toDuetError(error, 'relay-unavailable'));
      return undefined;
    }
  }

  private onSecured(attempt: ConnectionAttempt, result: AttemptSecured): void {
    // Resuming, the secret this handshake used is the one a peer that missed this switch holds.
    this.previousResumptionSecret = this.resumptionSecret ? result.pskUsed : undefined;
    this.resumptionSecret = result.resumptionSecret;
    if (this.host.phases.is('reconnecting')) {
      this.host.resumed();
      return;
    }
    // Set before any of the peer's records is handled (the attempt holds them until now):
    // identity proofs are checked against it.
    this.currentTranscript = result.transcriptHash;
    this.host.started();
    void this.introduce(attempt, result, this.host.expectIntroduction());
  }

  /** Sends our profile, then waits for the peer's: the status then names the peer in one step. */
  private async introduce(attempt: ConnectionAttempt, result: AttemptSecured, introduced: Promise<void>): Promise<void> {
    try {
      const proof = await this.host.trust.prove(result.transcriptHash);
      await this.send({ type: 'profile', name: this.host.myName(), ...(proof ? { identity: proof } : {}) });
      await introduced;
      if (this.attempt === attempt) this.host.introduced(result.safetyCode);
    } catch (error) {
      if (this.attempt === attempt) this.onAttemptFailed(toDuetError(error, 'handshake-failed'));
    }
  }

  private onAttemptFailed(error: DuetError): void {
    if (this.host.phases.is('reconnecting')) {
      // Not our peer (someone else with the link?) or a broken attempt: keep waiting for the real one.
      this.host.notify(error);
      this.host.dropLink();
      return;
    }
    this.host.fail(error);
  }

  /**
   * Runs `step` once every signal received before it has been handled. The server's
   * word that the peer joined or left follows the peer's last signals; judged before
   * them, a guesser's wrong short code would read as "left early" instead of a
   * mismatch, and a new guest could arrive before the last one's exit is handled.
   */
  afterSignals(step: () => void): void {
    this.signalQueue = this.signalQueue.then(step);
  }

  receive(payload: string): void {
    const role = this.host.role();
    if (!role) return;
    this.signalQueue = this.signalQueue.then(async () => {
      if (this.host.phases.is('failed', 'ended')) return;
      if (this.agreeing) {
        await this.shortCode!.receive(payload);
        return;
      }
      const keys = this.peerKeys;
      if (!keys) {
        this.host.notify(new DuetError('signal-rejected', 'signal before keys'));
        return;
      }
      try {
        const signal = await this.binding.open(keys.signalKey, otherRole(role), payload);
        // A new connection or an ICE restart waits for fresh TURN credentials, and the
        // peer's later signals wait with it.
        if (signal !== 'stale' && (signal.type === 'session' || signal.type === 'ice-restart') && this.host.ice.stale) await new Promise<void>((fresh) => this.host.ice.whenFresh(fresh));
        // The guest makes its link on the host's nonce: the link code first (the peer's later signals wait with it).
        if (signal !== 'stale' && signal.type === 'session' && !this.code.create) await this.code.settled();
        if (signal !== 'stale') this.onPeerSignal(role, signal);
      } catch (error) {
        const rejected = toDuetError(error, 'signal-rejected');
        // Only someone without the room's keys (the server, a stranger who learned the
        // room id) can produce a payload that does not open. Before the conversation is
        // secure: never talk through them (a host turns them out and waits for the real
        // guest; a guest stops). Once it runs peer to peer (secure, or
        // restoring it), the signal is ignored with a notice: nothing unopened is ever
        // applied, the resumed handshake still guards any new connection, and a server
        // must not be able to end a chat it cannot read by sending one junk frame.
        if (this.host.phases.is('secure', 'reconnecting')) this.host.notify(rejected);
        else this.host.rejectPeer(rejected);
      }
    });
  }

  private onPeerSignal(role: Role, signal: SignalData): void {
    switch (signal.type) {
      case 'ice-restart':
        // (Guest) the host restarts ICE: our link makes the offer with fresh ICE credentials.
        if (role !== 'guest' || !this.attempt?.channel || !this.channelLive) throw new DuetError('signal-rejected', 'unexpected ICE restart');
        this.binding.follow(signal);
        this.useFreshIceServers();
        this.attempt.restartIce();
        return;
      case 'handshake':
        // Its attempt has ended (the peer left, or ours failed): like a late WebRTC signal, it has nothing left to do.
        this.attempt?.receiveHandshake(fromBase64Url(signal.message));
        return;
      case 'session':
        // The host opening a new attempt while we still think the link is up: its side
        // broke first. Join the reconnection rather than wait for our link to notice.
        if (role === 'guest' && this.host.phases.is('secure')) this.host.lost(new DuetError('peer-connection-failed', 'the peer restarted the connection'));
        if (role !== 'guest' || (this.attempt && !this.host.phases.is('reconnecting'))) throw new DuetError('signal-rejected', 'unexpected session nonce');
        // A new attempt (on reconnection it replaces any pending one).
        if (this.attempt) this.host.dropLink();
        this.binding.follow(signal);
        this.startAttempt();
        return;
      default:
        this.attempt?.signal(signal);
    }
  }

  /** (Host) the restart announcement, sealed under the current binding; later signals are bound to the new one. */
  announceIceRestart(): void {
    this.host.ice.whenFresh(() => this.announceRestartNow());
  }

  /** The live link gathers its next candidates with the current ICE servers (fresh credentials). */
  private useFreshIceServers(): void {
    try {
      this.attempt?.setIceServers(this.host.ice.current().iceServers);
    } catch {
      // Relay-only with no TURN server any more: the link keeps its own (its policy stays relay).
    }
  }

  private announceRestartNow(): void {
    const keys = this.peerKeys;
    if (!keys || !this.channelLive) return;
    this.useFreshIceServers();
    const restart = this.binding.newRestart();
    if (restart) void this.binding.seal(keys.signalKey, 'host', { type: 'ice-restart', nonce: restart.nonce }, restart.announcedUnder);
  }
}
