/**
 * The signaling server asked us to reconnect (`reconnect`: it is draining, for a restart
 * or scale-in) and then closed the socket. A secure conversation runs peer to peer and
 * goes on untouched; the socket is opened again (a load balancer sends it to another
 * instance) and the room joined again, with the Reconnector's backoff (1 s doubling to
 * 15 s), so signals and fresh ICE servers can flow when the connection needs them.
 */
import type { Clock } from '../core/clock.ts';
import { FIRST_RETRY_MS, MAX_RETRY_MS } from './reconnector.ts';

export interface ServerRedialHost {
  clock: Clock;
  /** Opens the socket again and rejoins the room (RoomEntry.reopen). */
  reopen(): Promise<'opened' | 'unwanted' | 'failed'>;
  /** Still worth it: the conversation is secure. */
  wanted(): boolean;
}

export class ServerRedial {
  private asked = false;
  private cancelRetry: (() => void) | undefined;

  constructor(private readonly host: ServerRedialHost) {}

  /** The server said `reconnect`: its close, which follows, is not a loss. */
  reconnectAsked(): void {
    this.asked = true;
  }

  /** The socket closed: true when this unit takes over (the server asked and the conversation is secure). */
  closed(): boolean {
    const asked = this.asked;
    this.asked = false;
    if (!asked || !this.host.wanted()) return false;
    this.dial(FIRST_RETRY_MS);
    return true;
  }

  stop(): void {
    this.asked = false;
    this.cancelRetry?.();
    this.cancelRetry = undefined;
  }

  private dial(nextDelay: number): void {
    void this.host.reopen().then((outcome) => {
      if (outcome !== 'failed' || !this.host.wanted()) return;
      this.cancelRetry = this.host.clock.setTimeout(() => {
        this.cancelRetry = undefined;
        this.dial(Math.min(nextDelay * 2, MAX_RETRY_MS));
      }, nextDelay);
    });
  }
}
