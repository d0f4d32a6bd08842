/**
 * Where a conversation is, and the only way it moves: a table of {from, event, to}.
 * The session dispatches events; an event the table has no row for in the current
 * phase changes nothing (dispatch returns false), so a late timer or a stale callback
 * can never drag a conversation back to an earlier phase.
 */
import type { DuetError } from '../core/errors.ts';

/**
 * The host's short code, which it asks for only if it wants one: a code is good for one
 * join, so a guess (right or wrong) spends it and the host may ask for a new one.
 */
export type ShortCodeOffer = { state: 'none' } | { state: 'asking' } | { state: 'ready'; code: string };

export interface Invite {
  link: string;
  code: string;
  /** "7-tiger-ocean", once asked for and given. */
  shortCode: ShortCodeOffer;
}

/**
 * How a broken connection is being restored: first an ICE restart on the same peer
 * connection (the data channel and the secure session go on as they are), then, if
 * that does not bring it back in time, a new peer connection with a resumed handshake.
 */
export type ReconnectStage = 'ice-restart' | 'new-connection';

/** Where the conversation is. The UI shows a plain sentence for each. */
export type SessionStatus =
  | { phase: 'lobby' }
  | { phase: 'opening' }
  | { phase: 'waiting'; invite: Invite }
  | { phase: 'connecting' }
  | { phase: 'securing' }
  | { phase: 'secure'; safetyCode: string }
  /** The direct connection broke; both sides try to restore it, keeping the conversation and its safety code. */
  | { phase: 'reconnecting'; safetyCode: string; reason: DuetError; stage: ReconnectStage }
  | { phase: 'ended'; reason: 'peer-left' | 'you-left' }
  | { phase: 'failed'; error: DuetError };

export type Phase = SessionStatus['phase'];

export type PhaseEvent =
  /** createRoom or joinRoom was called. */
  | { type: 'enter' }
  /** The host's room exists and its invite is ready to share. */
  | { type: 'room-ready'; invite: Invite }
  /** The waiting host's invite changed (a short code asked for, given, or spent). */
  | { type: 'invite-changed'; invite: Invite }
  /** The guest asked the server for the room. */
  | { type: 'join-sent' }
  /** Both people are in the room: keys are being agreed and the peer connection made. */
  | { type: 'peer-present' }
  /** The peer connection is up; the peer has yet to introduce itself. */
  | { type: 'link-up' }
  /** Handshake done and the peer introduced itself. */
  | { type: 'secured'; safetyCode: string }
  /** The secure conversation lost its connection; the first stage of restoring it begins. */
  | { type: 'connection-lost'; reason: DuetError; stage: ReconnectStage }
  /** An ICE restart did not do it (or cannot be tried): on to a new peer connection. */
  | { type: 'new-connection'; reason?: DuetError }
  /** The connection is back (ICE path, or a resumed handshake), same safety code. */
  | { type: 'restored' }
  /** The guest left before the conversation started: the host offers the room again. */
  | { type: 'guest-left-early'; invite: Invite }
  /** The peer said goodbye. */
  | { type: 'peer-left' }
  /** This person left. */
  | { type: 'leave' }
  | { type: 'fail'; error: DuetError };

export type PhaseEventType = PhaseEvent['type'];

export interface Transition {
  readonly from: readonly Phase[];
  readonly event: PhaseEventType;
  readonly to: Phase;
}

const ACTIVE: readonly Phase[] = ['opening', 'waiting', 'connecting', 'securing', 'secure', 'reconnecting'];

export const TRANSITIONS: readonly Transition[] = [
  { from: ['lobby'], event: 'enter', to: 'opening' },
  { from: ['opening'], event: 'room-ready', to: 'waiting' },
  { from: ['waiting'], event: 'invite-changed', to: 'waiting' },
  { from: ['opening'], event: 'join-sent', to: 'connecting' },
  // The host's guest arrives (opening: before the invite was drawn); the guest's room
  // answers (connecting); after a goodbye, someone joins the room again (ended).
  { from: ['opening', 'waiting', 'connecting', 'ended'], event: 'peer-present', to: 'connecting' },
  { from: ['connecting'], event: 'link-up', to: 'securing' },
  { from: ['securing'], event: 'secured', to: 'secure' },
  { from: ['secure'], event: 'connection-lost', to: 'reconnecting' },
  { from: ['reconnecting'], event: 'new-connection', to: 'reconnecting' },
  { from: ['reconnecting'], event: 'restored', to: 'secure' },
  { from: ['waiting', 'connecting', 'securing'], event: 'guest-left-early', to: 'waiting' },
  { from: ['secure', 'reconnecting'], event: 'peer-left', to: 'ended' },
  { from: [...ACTIVE, 'ended'], event: 'leave', to: 'ended' },
  { from: [...ACTIVE, 'ended'], event: 'fail', to: 'failed' },
];

/** The status `event` leads to from `status`, or undefined when the table has no such row. */
export function transition(status: SessionStatus, event: PhaseEvent): SessionStatus | undefined {
  const row = TRANSITIONS.find((t) => t.event === event.type && t.from.includes(status.phase));
  if (!row) return undefined;
  switch (event.type) {
    case 'enter':
      return { phase: 'opening' };
    case 'room-ready':
    case 'invite-changed':
    case 'guest-left-early':
      return { phase: 'waiting', invite: event.invite };
    case 'join-sent':
    case 'peer-present':
      return { phase: 'connecting' };
    case 'link-up':
      return { phase: 'securing' };
    case 'secured':
      return { phase: 'secure', safetyCode: event.safetyCode };
    case 'connection-lost':
      return status.phase === 'secure' ? { phase: 'reconnecting', safetyCode: status.safetyCode, reason: event.reason, stage: event.stage } : undefined;
    case 'new-connection':
      return status.phase === 'reconnecting' ? { ...status, stage: 'new-connection', reason: event.reason ?? status.reason } : undefined;
    case 'restored':
      return status.phase === 'reconnecting' ? { phase: 'secure', safetyCode: status.safetyCode } : undefined;
    case 'peer-left':
      return { phase: 'ended', reason: 'peer-left' };
    case 'leave':
      return { phase: 'ended', reason: 'you-left' };
    case 'fail':
      return { phase: 'failed', error: event.error };
  }
}

/** Holds the status; `dispatch` is the only way it changes. */
export class PhaseMachine {
  private current: SessionStatus = { phase: 'lobby' };

  constructor(private readonly changed: (status: SessionStatus) => void) {}

  get status(): SessionStatus {
    return this.current;
  }

  /** Applies `event`; false (and nothing changes) when the current phase has no row for it. */
  dispatch(event: PhaseEvent): boolean {
    const next = transition(this.current, event);
    if (!next) return false;
    this.current = next;
    this.changed(next);
    return true;
  }

  is(...phases: Phase[]): boolean {
    return phases.includes(this.current.phase);
  }
}

/** The table as a Mermaid state diagram (docs/PROTOCOL.md §6 holds it; a test checks it is current). */
export function stateDiagram(): string {
  const lines = ['stateDiagram-v2', '  [*] --> lobby'];
  for (const { from, event, to } of TRANSITIONS) {
    for (const phase of from) lines.push(`  ${phase} --> ${to} : ${event}`);
  }
  lines.push('  failed --> [*]');
  return lines.join('\n');
}
