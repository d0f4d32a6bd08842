/**
 * Restoration alone: it feeds the Reconnector what happens and carries out its
 * commands on a recording host, through a real phase table, with one ManualClock timer.
 */
import { describe, expect, it } from 'vitest';
import { DuetError } from '../../../src/core/errors.ts';
import { PhaseMachine } from '../../../src/session/phases.ts';
import { Restoration, type RestorationHost } from '../../../src/session/restoration.ts';
import { ManualClock, settle } from '../helpers/manual-clock.ts';
import { recordingHost } from '../helpers/recording-host.ts';

const lost = new DuetError('peer-connection-failed', 'lost');
type Outcome = 'opened' | 'unwanted' | 'failed';

function setup(options: { role?: 'host' | 'guest'; signalingUp?: boolean; secure?: boolean } = {}) {
  const clock = new ManualClock();
  const phases = new PhaseMachine(() => {});
  if (options.secure ?? true) {
    for (const event of [{ type: 'enter' }, { type: 'join-sent' }, { type: 'link-up' }, { type: 'secured', safetyCode: '12345' }] as const) phases.dispatch(event);
  }
  const server = { up: options.signalingUp ?? true, outcomes: [] as Outcome[] };
  const recording = recordingHost<RestorationHost>({
    clock,
    phases,
    isHost: () => (options.role ?? 'host') === 'host',
    signalingUp: () => server.up,
    reopenSignaling: async () => server.outcomes.shift() ?? 'failed',
  });
  const restoration = new Restoration(recording.host, { giveUpMs: 60_000, iceRestartMs: 5_000 });
  /** What Restoration asked for, without the questions it asked. */
  const actions = () => recording.names().filter((name) => !['isHost', 'signalingUp'].includes(name));
  return { clock, phases, server, restoration, actions, ...recording };
}

describe('Restoration', () => {
  it('ICE lost (the host): reconnecting at stage ice-restart, a restart announced; the bound passes: a new connection, the host opens a new attempt', () => {
    const { clock, phases, restoration, actions } = setup();
    restoration.iceLost(lost);
    expect(phases.status).toMatchObject({ phase: 'reconnecting', stage: 'ice-restart', safetyCode: '12345', reason: lost });
    expect(actions()).toEqual(['announceIceRestart']);
    expect(clock.pending).toBe(1);
    clock.advance(4_999);
    expect(phases.status).toMatchObject({ stage: 'ice-restart' });
    clock.advance(1);
    expect(phases.status).toMatchObject({ phase: 'reconnecting', stage: 'new-connection', reason: { code: 'peer-connection-failed' } });
    expect(actions()).toEqual(['announceIceRestart', 'dropLink', 'dropLink', 'beginAttempt']);
    expect(clock.pending).toBe(1);
  });

  it('ICE lost (the guest): it restarts no ICE itself and, at the new connection, waits for the host', () => {
    const { clock, restoration, actions } = setup({ role: 'guest' });
    restoration.iceLost(lost);
    expect(actions()).toEqual([]);
    clock.advance(5_000);
    expect(actions()).toEqual(['dropLink']);
  });

  it('back in time: secure again with the same safety code, restored() called, no timer left', () => {
    const { clock, phases, restoration, actions } = setup();
    restoration.iceLost(lost);
    restoration.finish();
    expect(phases.status).toEqual({ phase: 'secure', safetyCode: '12345' });
    expect(actions()).toEqual(['announceIceRestart', 'restored']);
    expect(clock.pending).toBe(0);
  });

  it('the link lost with the server gone: it reopens the server with backoff 1 s, 2 s, until it opens', async () => {
    const { clock, phases, server, restoration, actions } = setup({ signalingUp: false });
    restoration.lost(lost);
    expect(phases.status).toMatchObject({ phase: 'reconnecting', stage: 'new-connection' });
    expect(actions()).toEqual(['dropLink', 'reopenSignaling']);
    await settle();
    clock.advance(999);
    expect(actions().filter((a) => a === 'reopenSignaling')).toHaveLength(1);
    clock.advance(1);
    expect(actions().filter((a) => a === 'reopenSignaling')).toHaveLength(2);
    await settle();
    server.outcomes.push('opened');
    clock.advance(2_000);
    expect(actions().filter((a) => a === 'reopenSignaling')).toHaveLength(3);
    await settle();
    // Open: only the give-up bound is left.
    clock.advance(30_000);
    expect(actions().filter((a) => a === 'reopenSignaling')).toHaveLength(3);
  });

  it('gives up at the bound with reconnect-failed', () => {
    const { clock, restoration, argsOf } = setup();
    restoration.lost(lost);
    clock.advance(59_999);
    expect(argsOf('fail')).toEqual([]);
    clock.advance(1);
    expect(argsOf('fail')).toEqual([[expect.objectContaining({ code: 'reconnect-failed' })]]);
    expect(clock.pending).toBe(0);
  });

  it('nothing to restore when the conversation is not secure: the table refuses, nothing is dropped, no timer', () => {
    const { clock, phases, restoration, actions } = setup({ secure: false });
    restoration.lost(lost);
    restoration.iceLost(lost);
    expect(phases.status).toEqual({ phase: 'lobby' });
    expect(actions()).toEqual([]);
    expect(clock.pending).toBe(0);
  });

  it('the server closing during a new connection opens it again; stop ends everything', () => {
    const { clock, restoration, actions } = setup();
    restoration.lost(lost);
    restoration.signalingClosed();
    expect(actions()).toEqual(['dropLink', 'dropLink', 'beginAttempt', 'reopenSignaling']);
    restoration.stop();
    expect(clock.pending).toBe(0);
  });

  it('the peer back in the room: the host opens a fresh attempt while reconnecting, never otherwise; the guest waits', () => {
    const host = setup();
    host.restoration.resumeWithPeer();
    expect(host.actions()).toEqual([]);
    const guest = setup({ role: 'guest' });
    guest.restoration.lost(lost);
    guest.restoration.resumeWithPeer();
    expect(guest.actions()).toEqual(['dropLink']);
  });
});
