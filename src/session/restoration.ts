/**
 * Restoring a broken connection: feeds the Reconnector what happens, carries out the
 * commands it returns, and keeps one timer for its next deadline.
 */
import type { Clock } from '../core/clock.ts';
import type { DuetError } from '../core/errors.ts';
import type { PhaseMachine } from './phases.ts';
import { type ReconnectCommand, type ReconnectEvent, Reconnector, type ReconnectorOptions } from './reconnector.ts';

export interface RestorationHost {
  clock: Clock;
  phases: PhaseMachine;
  isHost(): boolean;
  signalingUp(): boolean;
  /** Closes the peer connection, keeping what the next attempt needs. */
  dropLink(): void;
  /** (Host) opens a new attempt with a fresh session nonce. */
  beginAttempt(): void;
  /** (Host) announces an ICE restart on the live link. */
  announceIceRestart(): void;
  reopenSignaling(): Promise<'opened' | 'unwanted' | 'failed'>;
  /** Secure again: keepalives restart and the outbox goes again. */
  restored(): void;
  fail(error: DuetError): void;
}

export class Restoration {
  private readonly reconnector: Reconnector;
  private cancelTick: (() => void) | undefined;

  constructor(
    private readonly host: RestorationHost,
    options: ReconnectorOptions,
  ) {
    this.reconnector = new Reconnector(options);
  }

  /** The connection is gone while secure (or an ICE restart's link closed): on to a new connection. */
  lost(reason: DuetError): void {
    this.react({ type: 'link-lost', reason, signalingUp: this.host.signalingUp() });
  }

  /** ICE lost its path while secure, the data channel still open: restart ICE first. */
  iceLost(reason: DuetError): void {
    this.react({ type: 'ice-lost', reason, signalingUp: this.host.signalingUp() });
  }

  /** The link was dropped by the session itself (a new attempt replaces it). */
  linkDropped(): void {
    this.react({ type: 'link-dropped' });
  }

  signalingClosed(): void {
    this.react({ type: 'signaling-closed' });
  }

  /**
   * The peer is (back) in the room: the host opens a fresh attempt (new nonce, new
   * peer connection, replacing any attempt still pending); the guest waits for it.
   */
  resumeWithPeer(): void {
    if (!this.host.phases.is('reconnecting') || !this.host.isHost()) return;
    this.host.dropLink();
    this.host.beginAttempt();
  }

  /** Secure again (ICE path back, or a resumed handshake done). */
  finish(): void {
    this.react({ type: 'restored' });
    this.host.phases.dispatch({ type: 'restored' });
    this.host.restored();
  }

  stop(): void {
    this.react({ type: 'stop' });
  }

  private react(event: ReconnectEvent): void {
    const { clock } = this.host;
    for (const command of this.reconnector.handle(event, clock.now())) {
      if (!this.carryOut(command)) {
        // Not secure any more (the table refused): nothing to restore.
        this.reconnector.handle({ type: 'stop' }, clock.now());
        break;
      }
    }
    this.cancelTick?.();
    this.cancelTick = undefined;
    const deadline = this.reconnector.nextDeadline();
    if (deadline !== undefined) this.cancelTick = clock.setTimeout(() => this.react({ type: 'tick' }), Math.max(0, deadline - clock.now()));
  }

  /** False when the command could not apply (the conversation is no longer secure). */
  private carryOut(command: ReconnectCommand): boolean {
    const { host } = this;
    switch (command.type) {
      case 'enter':
        if (!host.phases.dispatch({ type: 'connection-lost', reason: command.reason, stage: command.stage })) return false;
        if (command.stage === 'new-connection') host.dropLink();
        return true;
      case 'escalate':
        host.phases.dispatch({ type: 'new-connection', reason: command.reason });
        host.dropLink();
        return true;
      case 'restart-ice':
        if (host.isHost()) host.announceIceRestart();
        return true;
      case 'resume':
        this.resumeWithPeer();
        return true;
      case 'open-signaling':
        void host.reopenSignaling().then((outcome) => {
          if (outcome === 'opened') this.react({ type: 'signaling-opened' });
          if (outcome === 'failed') this.react({ type: 'signaling-failed' });
        });
        return true;
      case 'give-up':
        host.fail(command.error);
        return true;
    }
  }
}
