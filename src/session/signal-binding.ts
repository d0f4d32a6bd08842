/**
 * What the peer's sealed signals are bound to, and what has been opened under it.
 *
 * Every signal after the host's session message is bound to that attempt's nonce (and
 * to the latest ICE restart's nonce within it). Late signals of the binding just left
 * are recognised as stale, not as forgeries; a payload opened before, or a session
 * message naming a nonce already used, is a replay. Our own signals are sealed in
 * parallel but sent strictly in the order they were made.
 */
import { type RandomSource, toBase64Url } from '../core/bytes.ts';
import { DuetError, toDuetError } from '../core/errors.ts';
import type { Role } from '../core/roles.ts';
import { type SignalData, openSignal, sealSignal, signalBinding } from '../core/signal-seal.ts';

export interface SignalBindingHost {
  random: RandomSource;
  /** Puts a sealed payload on the signaling connection (if there is one). */
  deliver(payload: string): void;
  /** A signal of ours could not be sealed. */
  failed(error: DuetError): void;
  /**
   * Read at the moment a signal is opened. `acceptUnbound`: a new session message may
   * replace the current attempt (a guest while secure or reconnecting). `reconnecting`:
   * late signals of the previous attempt are expected and ignored.
   */
  policy(): { acceptUnbound: boolean; reconnecting: boolean };
}

const NONCE_BYTES = 16;
/** A payload starts with its base64url IV; this much of it identifies the payload. */
const IV_PREFIX_CHARS = 16;

export class SignalBinding {
  private sessionNonce: string | undefined;
  private restartNonce: string | undefined;
  /** The binding before the current one: its late signals are stale, not forged. */
  private stale: { binding: string; sameAttempt: boolean } | undefined;
  /** Session nonces this side has used: a session message naming one again is a replay. */
  private readonly usedSessionNonces = new Set<string>();
  /** IVs of the payloads opened under the current binding: the same payload again is a replay. */
  private openedSignals = new Set<string>();
  /** Our sealed signals, sent strictly in the order they were made. */
  private outgoing: Promise<void> = Promise.resolve();

  constructor(private readonly host: SignalBindingHost) {}

  /** The current attempt's session nonce (undefined before the host's session message). */
  get attempt(): string | undefined {
    return this.sessionNonce;
  }

  /** What this attempt's signals are bound to now. */
  current(): string | undefined {
    return this.sessionNonce === undefined ? undefined : signalBinding(this.sessionNonce, this.restartNonce);
  }

  /** (Host) a fresh attempt: a new session nonce, to send in the session message. */
  newAttempt(): string {
    const nonce = toBase64Url(this.host.random(NONCE_BYTES));
    this.rebind(nonce);
    return nonce;
  }

  /** (Host) an ICE restart within this attempt: a new restart nonce; returns the binding it is announced under. */
  newRestart(): { nonce: string; announcedUnder: string } | undefined {
    const announcedUnder = this.current();
    if (announcedUnder === undefined) return undefined;
    const nonce = toBase64Url(this.host.random(NONCE_BYTES));
    this.rebind(this.sessionNonce, nonce);
    return { nonce, announcedUnder };
  }

  /** (Guest) the host's session message or restart announcement moves us to its binding. */
  follow(signal: Extract<SignalData, { type: 'session' | 'ice-restart' }>): void {
    if (signal.type === 'session') this.rebind(signal.nonce);
    else this.rebind(this.sessionNonce, signal.nonce);
  }

  /** No attempt any more (the peer is gone); the last binding's late signals stay recognisable. */
  clearPeer(): void {
    this.rebind(undefined);
  }

  private rebind(sessionNonce: string | undefined, restartNonce?: string): void {
    const previous = this.current();
    if (previous !== undefined) this.stale = { binding: previous, sameAttempt: sessionNonce === this.sessionNonce };
    this.sessionNonce = sessionNonce;
    this.restartNonce = restartNonce;
    this.openedSignals = new Set();
    if (sessionNonce !== undefined) this.usedSessionNonces.add(sessionNonce);
  }

  /**
   * Opens a signal from the peer under the current binding (or, where the policy
   * allows, as a new session message). 'stale' means a late signal of the previous
   * binding, to be ignored; a replay or a payload that does not open throws
   * DuetError('signal-rejected').
   */
  async open(key: CryptoKey, sender: Role, payload: string): Promise<SignalData | 'stale'> {
    const current = this.current();
    const { acceptUnbound } = this.host.policy();
    const bindings: (string | undefined)[] = [current];
    if (acceptUnbound && this.sessionNonce !== undefined) bindings.push(undefined);
    for (const binding of bindings) {
      let signal: SignalData;
      try {
        signal = await openSignal(key, sender, payload, binding);
      } catch {
        continue; // try the next binding
      }
      // The attempt moved on (a new one, or an ICE restart) while this was being opened:
      // it belongs to the one before, and must not reach the new attempt's link.
      if (binding !== undefined && binding !== this.current()) return 'stale';
      if (signal.type === 'session' && this.usedSessionNonces.has(signal.nonce)) throw new DuetError('signal-rejected', 'replayed session nonce');
      // AES-GCM IVs are random: the same IV under the same binding is the same payload again.
      const iv = payload.slice(0, IV_PREFIX_CHARS);
      if (binding !== undefined) {
        if (this.openedSignals.has(iv)) throw new DuetError('signal-rejected', 'replayed signal');
        this.openedSignals.add(iv);
      }
      return signal;
    }
    // Rebound while this was being opened (a timer moved the attempt on): it may be the new one's.
    if (this.current() !== current) return this.open(key, sender, payload);
    // Only a reconnection races with its own previous attempt, and an ICE restart with
    // the late signals of the binding before it; elsewhere an old signal is a replay
    // and is refused like any other.
    const stale = this.stale;
    if (stale !== undefined && (this.host.policy().reconnecting || stale.sameAttempt)) {
      const opened = await openSignal(key, sender, payload, stale.binding).then(
        () => true,
        () => false,
      );
      if (opened) return 'stale';
    }
    return openSignal(key, sender, payload, current);
  }

  /**
   * Seals a signal and sends it once every signal made before it is out: sealing runs
   * in parallel and may finish out of order, but the peer must get the attempt's nonce
   * before what it binds, and the handshake's messages in their order. Resolves once it
   * went out, or was dropped (`stillWanted` said no, or sealing failed).
   */
  seal(key: CryptoKey, role: Role, signal: SignalData, binding: string | undefined, stillWanted: () => boolean = () => true): Promise<void> {
    const sealed = sealSignal(key, role, signal, this.host.random, binding);
    sealed.catch(() => {}); // handled in turn below
    this.outgoing = this.outgoing
      .then(() =>
        sealed.then((payload) => {
          if (stillWanted()) this.host.deliver(payload);
        }),
      )
      .catch((error: unknown) => this.host.failed(toDuetError(error, 'signal-rejected')));
    return this.outgoing;
  }
}
