/**
 * Restoring a broken connection, as a pure state machine: fed events and clock ticks,
 * it returns commands for the session to carry out, and owns no timer itself (the
 * session asks nextDeadline() and ticks it then).
 *
 *   ICE lost (signaling up)  → stage ice-restart: restart ICE on the same peer connection
 *   restart not back in time,
 *   link closed or dropped   → stage new-connection: find the peer again (through the
 *                              signaling server, reconnecting to it with backoff)
 *   restored                 → idle
 *   give-up bound reached    → give up
 */
import { DuetError } from '../core/errors.ts';
import type { ReconnectStage } from './phases.ts';

export interface ReconnectorOptions {
  /** How long to keep trying before giving up (default 2 min). */
  giveUpMs?: number;
  /** How long an ICE restart may take before a new peer connection is tried instead (default 6 s). */
  iceRestartMs?: number;
}

export const DEFAULT_RECONNECT_TIMEOUT_MS = 120_000;
export const DEFAULT_ICE_RESTART_TIMEOUT_MS = 6_000;
/** Backoff between signaling reconnection attempts: 1 s, doubling, at most 15 s. */
export const FIRST_RETRY_MS = 1000;
export const MAX_RETRY_MS = 15_000;

export type ReconnectEvent =
  /** ICE lost its path while secure (the data channel may still be open). */
  | { type: 'ice-lost'; reason: DuetError; signalingUp: boolean }
  /** The connection is gone (data channel closed, peer silent, peer rejoined, restart timed out). */
  | { type: 'link-lost'; reason: DuetError; signalingUp: boolean }
  /** The session itself dropped the link while restarting ICE (a new attempt replaces it). */
  | { type: 'link-dropped' }
  | { type: 'signaling-closed' }
  | { type: 'signaling-opened' }
  | { type: 'signaling-failed' }
  /** Secure again: over. */
  | { type: 'restored' }
  /** Time passed (the clock reached nextDeadline()). */
  | { type: 'tick' }
  /** The conversation ended some other way. */
  | { type: 'stop' };

export type ReconnectCommand =
  /** secure → reconnecting at this stage (new-connection drops the link, keeping the keys). */
  | { type: 'enter'; stage: ReconnectStage; reason: DuetError }
  /** ice-restart → new-connection: drop the link, keeping the keys. */
  | { type: 'escalate'; reason: DuetError }
  /** Lead an ICE restart on the live link (the host announces it). */
  | { type: 'restart-ice' }
  /** The signaling connection is up: find the peer (the host opens a new attempt). */
  | { type: 'resume' }
  /** Open the signaling connection again (then join the room). */
  | { type: 'open-signaling' }
  | { type: 'give-up'; error: DuetError };

type SignalingState = { kind: 'up' } | { kind: 'opening'; nextDelay: number } | { kind: 'backoff'; retryAt: number; nextDelay: number };

type ReconnectorState =
  | { stage: 'idle' }
  | { stage: 'ice-restart'; giveUpAt: number; restartUntil: number; reason: DuetError; signalingUp: boolean }
  | { stage: 'new-connection'; giveUpAt: number; reason: DuetError; signaling: SignalingState };

export class Reconnector {
  private state: ReconnectorState = { stage: 'idle' };
  private readonly giveUpMs: number;
  private readonly iceRestartMs: number;

  constructor(options: ReconnectorOptions = {}) {
    this.giveUpMs = options.giveUpMs ?? DEFAULT_RECONNECT_TIMEOUT_MS;
    this.iceRestartMs = options.iceRestartMs ?? DEFAULT_ICE_RESTART_TIMEOUT_MS;
  }

  get stage(): ReconnectorState['stage'] {
    return this.state.stage;
  }

  /** When the next tick is due (undefined: nothing pending). */
  nextDeadline(): number | undefined {
    const state = this.state;
    if (state.stage === 'idle') return undefined;
    if (state.stage === 'ice-restart') return Math.min(state.giveUpAt, state.restartUntil);
    return state.signaling.kind === 'backoff' ? Math.min(state.giveUpAt, state.signaling.retryAt) : state.giveUpAt;
  }

  handle(event: ReconnectEvent, now: number): ReconnectCommand[] {
    const state = this.state;
    switch (event.type) {
      case 'ice-lost':
        if (state.stage !== 'idle') return [];
        // The restart is signalled through the server: without it, a new connection
        // (which finds the server again) is the only way.
        if (!event.signalingUp) {
          return this.toNewConnection(now + this.giveUpMs, event.reason, false, [
            { type: 'enter', stage: 'ice-restart', reason: event.reason },
            { type: 'escalate', reason: event.reason },
          ]);
        }
        this.state = { stage: 'ice-restart', giveUpAt: now + this.giveUpMs, restartUntil: now + this.iceRestartMs, reason: event.reason, signalingUp: true };
        return [{ type: 'enter', stage: 'ice-restart', reason: event.reason }, { type: 'restart-ice' }];
      case 'link-lost':
        if (state.stage === 'idle') return this.toNewConnection(now + this.giveUpMs, event.reason, event.signalingUp, [{ type: 'enter', stage: 'new-connection', reason: event.reason }]);
        if (state.stage === 'ice-restart') return this.toNewConnection(state.giveUpAt, event.reason, event.signalingUp, [{ type: 'escalate', reason: event.reason }]);
        return [];
      case 'link-dropped':
        if (state.stage !== 'ice-restart') return [];
        // Whoever dropped it is already making the new attempt: no resume from here.
        return this.toNewConnection(state.giveUpAt, state.reason, state.signalingUp, [{ type: 'escalate', reason: state.reason }], false);
      case 'signaling-closed':
        if (state.stage === 'ice-restart') {
          // The ICE restart may still bring the link back without the server; if it does
          // not, the new-connection stage finds the server again.
          this.state = { ...state, signalingUp: false };
          return [];
        }
        if (state.stage !== 'new-connection') return [];
        this.state = { ...state, signaling: { kind: 'opening', nextDelay: FIRST_RETRY_MS } };
        return [{ type: 'open-signaling' }];
      case 'signaling-opened':
        if (state.stage === 'new-connection') this.state = { ...state, signaling: { kind: 'up' } };
        if (state.stage === 'ice-restart') this.state = { ...state, signalingUp: true };
        return [];
      case 'signaling-failed':
        if (state.stage !== 'new-connection' || state.signaling.kind !== 'opening') return [];
        this.state = {
          ...state,
          signaling: { kind: 'backoff', retryAt: now + state.signaling.nextDelay, nextDelay: Math.min(state.signaling.nextDelay * 2, MAX_RETRY_MS) },
        };
        return [];
      case 'restored':
      case 'stop':
        this.state = { stage: 'idle' };
        return [];
      case 'tick':
        return this.tick(now);
    }
  }

  private tick(now: number): ReconnectCommand[] {
    const state = this.state;
    if (state.stage === 'idle') return [];
    if (now >= state.giveUpAt) {
      this.state = { stage: 'idle' };
      return [{ type: 'give-up', error: new DuetError('reconnect-failed', `gave up after ${this.giveUpMs / 1000} s: ${state.reason.code}`) }];
    }
    if (state.stage === 'ice-restart') {
      if (now < state.restartUntil) return [];
      const reason = new DuetError('peer-connection-failed', `an ICE restart did not reconnect within ${this.iceRestartMs / 1000} s`);
      return this.toNewConnection(state.giveUpAt, reason, state.signalingUp, [{ type: 'escalate', reason }]);
    }
    if (state.signaling.kind === 'backoff' && now >= state.signaling.retryAt) {
      this.state = { ...state, signaling: { kind: 'opening', nextDelay: state.signaling.nextDelay } };
      return [{ type: 'open-signaling' }];
    }
    return [];
  }

  private toNewConnection(giveUpAt: number, reason: DuetError, signalingUp: boolean, first: ReconnectCommand[], resume = true): ReconnectCommand[] {
    this.state = { stage: 'new-connection', giveUpAt, reason, signaling: signalingUp ? { kind: 'up' } : { kind: 'opening', nextDelay: FIRST_RETRY_MS } };
    if (!signalingUp) return [...first, { type: 'open-signaling' }];
    return resume ? [...first, { type: 'resume' }] : first;
  }
}
