/**
 * Liveness alone: keepalives when we have been quiet, a silent peer taken as a broken
 * connection, and a check that itself ran late proving nothing. Time is a ManualClock.
 */
import { describe, expect, it } from 'vitest';
import type { Clock } from '../../../src/core/clock.ts';
import { KEEPALIVE_INTERVAL_MS, Liveness, type LivenessHost, SILENCE_LIMIT_MS } from '../../../src/session/liveness.ts';
import { ManualClock } from '../helpers/manual-clock.ts';
import { recordingHost } from '../helpers/recording-host.ts';

function setup() {
  const manual = new ManualClock();
  /** Time the machine spent suspended: the clock moves on, no timer had a chance to run. */
  let suspended = 0;
  const clock: Clock = { now: () => manual.now() + suspended, setTimeout: (callback, ms) => manual.setTimeout(callback, ms) };
  const state = { active: true, lastSentAt: 0 };
  const recording = recordingHost<LivenessHost>({ clock, active: () => state.active, lastSentAt: () => state.lastSentAt });
  const liveness = new Liveness(recording.host);
  const suspend = (ms: number) => void (suspended += ms);
  const events = () => recording.names().filter((name) => name === 'sendKeepalive' || name === 'silent');
  return { manual, clock, state, liveness, suspend, events, ...recording };
}

describe('Liveness', () => {
  it('sends a keepalive when nothing went out for the interval, not when something did', () => {
    const { manual, clock, state, liveness, events } = setup();
    liveness.start();
    manual.advance(KEEPALIVE_INTERVAL_MS);
    expect(events()).toEqual(['sendKeepalive']);
    liveness.heard();
    manual.advance(1000);
    state.lastSentAt = clock.now(); // a message went out
    // The next check comes 3 s after it: too soon for a keepalive.
    manual.advance(KEEPALIVE_INTERVAL_MS - 1000);
    expect(events()).toEqual(['sendKeepalive']);
    manual.advance(KEEPALIVE_INTERVAL_MS);
    expect(events()).toEqual(['sendKeepalive', 'sendKeepalive']);
  });

  it(`a peer silent for more than ${SILENCE_LIMIT_MS / 1000} s is reported once, as peer-connection-failed, and the checks stop`, () => {
    const { manual, liveness, argsOf, events } = setup();
    liveness.start();
    manual.advance(SILENCE_LIMIT_MS);
    expect(events()).not.toContain('silent');
    manual.advance(KEEPALIVE_INTERVAL_MS);
    expect(events().filter((e) => e === 'silent')).toHaveLength(1);
    expect(argsOf('silent')[0]![0]).toMatchObject({ code: 'peer-connection-failed' });
    expect(manual.pending).toBe(0);
  });

  it('hearing from the peer puts the silence off', () => {
    const { manual, liveness, events } = setup();
    liveness.start();
    for (let i = 0; i < 10; i++) {
      manual.advance(KEEPALIVE_INTERVAL_MS);
      liveness.heard();
    }
    expect(events()).not.toContain('silent');
    expect(manual.pending).toBe(1);
  });

  it('a check that ran late (a suspended laptop) proves nothing about the peer: it starts over', () => {
    const { manual, liveness, suspend, events } = setup();
    liveness.start();
    manual.advance(KEEPALIVE_INTERVAL_MS);
    suspend(60_000);
    manual.advance(KEEPALIVE_INTERVAL_MS);
    expect(events()).not.toContain('silent');
    // From the late check on, the silence counts again.
    manual.advance(2 * KEEPALIVE_INTERVAL_MS);
    expect(events()).not.toContain('silent');
    manual.advance(2 * KEEPALIVE_INTERVAL_MS);
    expect(events()).toContain('silent');
  });

  it('checks only while active, and clearPeer stops them', () => {
    const { manual, state, liveness, events } = setup();
    liveness.start();
    state.active = false;
    manual.advance(SILENCE_LIMIT_MS * 2);
    expect(events()).toEqual([]);
    expect(manual.pending).toBe(0);
    state.active = true;
    liveness.start();
    liveness.start(); // a second start replaces the first
    expect(manual.pending).toBe(1);
    liveness.clearPeer();
    expect(manual.pending).toBe(0);
    manual.advance(SILENCE_LIMIT_MS * 2);
    expect(events()).toEqual([]);
  });
});
