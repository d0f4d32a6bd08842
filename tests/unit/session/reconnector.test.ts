/**
 * The Reconnector alone, a pure machine: events and clock ticks in, commands out.
 * ICE restart → new connection → give up, and the signaling backoff, with nothing
 * but a ManualClock's time.
 */
import { describe, expect, it } from 'vitest';
import { DuetError } from '../../../src/core/errors.ts';
import {
  DEFAULT_ICE_RESTART_TIMEOUT_MS,
  DEFAULT_RECONNECT_TIMEOUT_MS,
  type ReconnectCommand,
  type ReconnectEvent,
  Reconnector,
} from '../../../src/session/reconnector.ts';
import { ManualClock } from '../helpers/manual-clock.ts';

const lost = new DuetError('peer-connection-failed', 'ICE disconnected');
const closed = new DuetError('peer-connection-failed', 'the data channel closed');

function machine(options: ConstructorParameters<typeof Reconnector>[0] = {}) {
  const clock = new ManualClock();
  const reconnector = new Reconnector(options);
  const feed = (event: ReconnectEvent): ReconnectCommand[] => reconnector.handle(event, clock.now());
  /** Moves the clock to the machine's next deadline and ticks it there. */
  const tickAtDeadline = (): ReconnectCommand[] => {
    const deadline = reconnector.nextDeadline();
    expect(deadline, 'a deadline is pending').toBeDefined();
    clock.advance(deadline! - clock.now());
    return feed({ type: 'tick' });
  };
  return { clock, reconnector, feed, tickAtDeadline };
}

const types = (commands: ReconnectCommand[]) => commands.map((c) => c.type);

describe('Reconnector: ICE restart first', () => {
  it('ICE lost with the server up: enter ice-restart and restart ICE; nothing before the bound; then a new connection, resumed through the server', () => {
    const { clock, reconnector, feed, tickAtDeadline } = machine();
    clock.advance(1000);
    expect(feed({ type: 'ice-lost', reason: lost, signalingUp: true })).toEqual([{ type: 'enter', stage: 'ice-restart', reason: lost }, { type: 'restart-ice' }]);
    expect(reconnector.stage).toBe('ice-restart');
    expect(reconnector.nextDeadline()).toBe(1000 + DEFAULT_ICE_RESTART_TIMEOUT_MS);
    clock.advance(DEFAULT_ICE_RESTART_TIMEOUT_MS - 1);
    expect(feed({ type: 'tick' })).toEqual([]);
    expect(reconnector.stage).toBe('ice-restart');
    const escalated = tickAtDeadline();
    expect(types(escalated)).toEqual(['escalate', 'resume']);
    expect(escalated[0]).toMatchObject({ type: 'escalate', reason: { code: 'peer-connection-failed' } });
    expect(reconnector.stage).toBe('new-connection');
    // The give-up bound still counts from the first loss, not from the escalation.
    expect(reconnector.nextDeadline()).toBe(1000 + DEFAULT_RECONNECT_TIMEOUT_MS);
  });

  it('ICE lost without the server: the restart cannot be signalled, so straight on to a new connection and the server opened again', () => {
    const { reconnector, feed } = machine();
    expect(feed({ type: 'ice-lost', reason: lost, signalingUp: false })).toEqual([
      { type: 'enter', stage: 'ice-restart', reason: lost },
      { type: 'escalate', reason: lost },
      { type: 'open-signaling' },
    ]);
    expect(reconnector.stage).toBe('new-connection');
  });

  it('the link closing during the restart escalates at once (with its reason), a second ICE loss changes nothing', () => {
    const { clock, feed, reconnector } = machine();
    feed({ type: 'ice-lost', reason: lost, signalingUp: true });
    expect(feed({ type: 'ice-lost', reason: lost, signalingUp: true })).toEqual([]);
    clock.advance(2000);
    expect(feed({ type: 'link-lost', reason: closed, signalingUp: true })).toEqual([{ type: 'escalate', reason: closed }, { type: 'resume' }]);
    expect(reconnector.stage).toBe('new-connection');
    expect(reconnector.nextDeadline()).toBe(DEFAULT_RECONNECT_TIMEOUT_MS);
    expect(feed({ type: 'link-lost', reason: closed, signalingUp: true })).toEqual([]);
  });

  it('the session dropping the link during the restart escalates without a resume (whoever dropped it is making the new attempt)', () => {
    const { feed, reconnector } = machine();
    expect(feed({ type: 'link-dropped' })).toEqual([]);
    feed({ type: 'ice-lost', reason: lost, signalingUp: true });
    expect(feed({ type: 'link-dropped' })).toEqual([{ type: 'escalate', reason: lost }]);
    expect(reconnector.stage).toBe('new-connection');
  });

  it('the server going away during the restart waits for the restart; if it fails, the new connection opens the server first', () => {
    const { feed, tickAtDeadline } = machine();
    feed({ type: 'ice-lost', reason: lost, signalingUp: true });
    expect(feed({ type: 'signaling-closed' })).toEqual([]);
    expect(types(tickAtDeadline())).toEqual(['escalate', 'open-signaling']);
  });

  it('the server back during the restart: the escalation resumes through it', () => {
    const { feed, tickAtDeadline } = machine();
    feed({ type: 'ice-lost', reason: lost, signalingUp: true });
    feed({ type: 'signaling-closed' });
    expect(feed({ type: 'signaling-opened' })).toEqual([]);
    expect(types(tickAtDeadline())).toEqual(['escalate', 'resume']);
  });

  it('restored ends it: nothing pending, later ticks do nothing', () => {
    const { clock, reconnector, feed } = machine();
    feed({ type: 'ice-lost', reason: lost, signalingUp: true });
    expect(feed({ type: 'restored' })).toEqual([]);
    expect(reconnector.stage).toBe('idle');
    expect(reconnector.nextDeadline()).toBeUndefined();
    clock.advance(DEFAULT_RECONNECT_TIMEOUT_MS);
    expect(feed({ type: 'tick' })).toEqual([]);
  });

  it('takes its bounds from the options', () => {
    const { feed, reconnector } = machine({ giveUpMs: 5000, iceRestartMs: 300 });
    feed({ type: 'ice-lost', reason: lost, signalingUp: true });
    expect(reconnector.nextDeadline()).toBe(300);
    feed({ type: 'link-dropped' });
    expect(reconnector.nextDeadline()).toBe(5000);
  });
});

describe('Reconnector: a new connection', () => {
  it('the link lost with the server up: enter new-connection and resume', () => {
    const { feed, reconnector } = machine();
    expect(feed({ type: 'link-lost', reason: closed, signalingUp: true })).toEqual([{ type: 'enter', stage: 'new-connection', reason: closed }, { type: 'resume' }]);
    expect(reconnector.nextDeadline()).toBe(DEFAULT_RECONNECT_TIMEOUT_MS);
  });

  it('the link lost with the server down: enter new-connection and open the server', () => {
    const { feed } = machine();
    expect(feed({ type: 'link-lost', reason: closed, signalingUp: false })).toEqual([{ type: 'enter', stage: 'new-connection', reason: closed }, { type: 'open-signaling' }]);
  });

  it('signaling backoff: 1 s, doubling, at most 15 s between attempts to open the server', () => {
    const { clock, feed, tickAtDeadline } = machine({ giveUpMs: 10 * 60_000 });
    feed({ type: 'link-lost', reason: closed, signalingUp: false });
    const retries: number[] = [];
    for (let attempt = 0; attempt < 7; attempt++) {
      const failedAt = clock.now();
      expect(feed({ type: 'signaling-failed' })).toEqual([]);
      expect(tickAtDeadline()).toEqual([{ type: 'open-signaling' }]);
      retries.push(clock.now() - failedAt);
    }
    expect(retries).toEqual([1000, 2000, 4000, 8000, 15_000, 15_000, 15_000]);
  });

  it('no retry is due before its time, and a failure report while not opening changes nothing', () => {
    const { clock, reconnector, feed } = machine();
    feed({ type: 'link-lost', reason: closed, signalingUp: false });
    feed({ type: 'signaling-failed' });
    expect(feed({ type: 'signaling-failed' })).toEqual([]);
    expect(reconnector.nextDeadline()).toBe(1000);
    clock.advance(999);
    expect(feed({ type: 'tick' })).toEqual([]);
  });

  it('the server closing while finding the peer: opened again at once; once open, only the give-up bound is pending', () => {
    const { reconnector, feed } = machine();
    feed({ type: 'link-lost', reason: closed, signalingUp: true });
    expect(feed({ type: 'signaling-closed' })).toEqual([{ type: 'open-signaling' }]);
    expect(feed({ type: 'signaling-opened' })).toEqual([]);
    expect(reconnector.nextDeadline()).toBe(DEFAULT_RECONNECT_TIMEOUT_MS);
  });

  it('gives up at the bound with reconnect-failed naming the first reason, then is idle', () => {
    const { reconnector, feed, tickAtDeadline } = machine({ giveUpMs: 120_000 });
    feed({ type: 'link-lost', reason: closed, signalingUp: false });
    let last: ReconnectCommand[] = [];
    // Backoff retries come first; the last tick is the give-up.
    while (reconnector.stage !== 'idle') {
      feed({ type: 'signaling-failed' });
      last = tickAtDeadline();
    }
    expect(last).toHaveLength(1);
    expect(last[0]).toMatchObject({ type: 'give-up', error: { code: 'reconnect-failed' } });
    expect((last[0] as Extract<ReconnectCommand, { type: 'give-up' }>).error.message).toContain('peer-connection-failed');
    expect(reconnector.nextDeadline()).toBeUndefined();
  });

  it('stop ends it at any stage; events about the server or the link do nothing while idle', () => {
    const { reconnector, feed } = machine();
    feed({ type: 'link-lost', reason: closed, signalingUp: false });
    feed({ type: 'stop' });
    expect(reconnector.stage).toBe('idle');
    for (const event of [{ type: 'signaling-closed' }, { type: 'signaling-opened' }, { type: 'signaling-failed' }, { type: 'link-dropped' }, { type: 'tick' }] as ReconnectEvent[]) {
      expect(feed(event), event.type).toEqual([]);
    }
    expect(reconnector.stage).toBe('idle');
  });
});
