/**
 * The phase table alone: every row, every event that has no row, what each status
 * carries across a transition, and the state diagram generated from the table.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { withStateDiagram } from '../../../scripts/make-state-diagram.ts';
import { DuetError } from '../../../src/core/errors.ts';
import { type Invite, type Phase, type PhaseEvent, PhaseMachine, type SessionStatus, TRANSITIONS, stateDiagram, transition } from '../../../src/session/phases.ts';

const invite: Invite = { link: 'https://duet.test/#code', code: 'code', shortCode: { state: 'ready', code: '7-tiger-ocean' } };
const otherInvite: Invite = { link: 'https://duet.test/#other', code: 'other', shortCode: { state: 'none' } };
const lost = new DuetError('peer-connection-failed', 'lost');
const boom = new DuetError('server-error', 'boom');

/** One status of each phase, as the session would hold it. */
const STATUS: { [P in Phase]: Extract<SessionStatus, { phase: P }> } = {
  lobby: { phase: 'lobby' },
  opening: { phase: 'opening' },
  waiting: { phase: 'waiting', invite },
  connecting: { phase: 'connecting' },
  securing: { phase: 'securing' },
  secure: { phase: 'secure', safetyCode: '11111 22222' },
  reconnecting: { phase: 'reconnecting', safetyCode: '11111 22222', reason: lost, stage: 'ice-restart' },
  ended: { phase: 'ended', reason: 'peer-left' },
  failed: { phase: 'failed', error: boom },
};

/** One event of each type. */
const EVENT: { [T in PhaseEvent['type']]: Extract<PhaseEvent, { type: T }> } = {
  enter: { type: 'enter' },
  'room-ready': { type: 'room-ready', invite },
  'invite-changed': { type: 'invite-changed', invite: otherInvite },
  'join-sent': { type: 'join-sent' },
  'peer-present': { type: 'peer-present' },
  'link-up': { type: 'link-up' },
  secured: { type: 'secured', safetyCode: '33333 44444' },
  'connection-lost': { type: 'connection-lost', reason: lost, stage: 'new-connection' },
  'new-connection': { type: 'new-connection' },
  restored: { type: 'restored' },
  'guest-left-early': { type: 'guest-left-early', invite: otherInvite },
  'peer-left': { type: 'peer-left' },
  leave: { type: 'leave' },
  fail: { type: 'fail', error: boom },
};

const PHASES = Object.keys(STATUS) as Phase[];
const EVENTS = Object.values(EVENT) as PhaseEvent[];

/**
 * What the session's behaviour relies on, written out here rather than read from the
 * table: "from event → to". Every pair not listed must change nothing.
 */
const EXPECTED = `
  lobby enter opening
  opening room-ready waiting
  waiting invite-changed waiting
  opening join-sent connecting
  opening peer-present connecting
  waiting peer-present connecting
  connecting peer-present connecting
  ended peer-present connecting
  connecting link-up securing
  securing secured secure
  secure connection-lost reconnecting
  reconnecting new-connection reconnecting
  reconnecting restored secure
  waiting guest-left-early waiting
  connecting guest-left-early waiting
  securing guest-left-early waiting
  secure peer-left ended
  reconnecting peer-left ended
  opening leave ended
  waiting leave ended
  connecting leave ended
  securing leave ended
  secure leave ended
  reconnecting leave ended
  ended leave ended
  opening fail failed
  waiting fail failed
  connecting fail failed
  securing fail failed
  secure fail failed
  reconnecting fail failed
  ended fail failed
`
  .trim()
  .split('\n')
  .map((line) => line.trim());

describe('phases: the transition table', () => {
  it('has exactly the expected rows, and each leads where it says', () => {
    const rows = TRANSITIONS.flatMap(({ from, event, to }) => from.map((phase) => `${phase} ${event} ${to}`));
    expect([...rows].sort()).toEqual([...EXPECTED].sort());
    for (const row of EXPECTED) {
      const [from, type, to] = row.split(' ') as [Phase, PhaseEvent['type'], Phase];
      expect(transition(STATUS[from], EVENT[type])?.phase, row).toBe(to);
    }
  });

  it('an event with no row in the current phase changes nothing: dispatch returns false and nobody hears of it', () => {
    let refused = 0;
    for (const phase of PHASES) {
      for (const event of EVENTS) {
        if (EXPECTED.some((row) => row.startsWith(`${phase} ${event.type} `))) continue;
        refused++;
        expect(transition(STATUS[phase], event), `${phase} ${event.type}`).toBeUndefined();
        const heard: SessionStatus[] = [];
        const machine = machineAt(STATUS[phase], heard);
        expect(machine.dispatch(event), `${phase} ${event.type}`).toBe(false);
        expect(machine.status).toEqual(STATUS[phase]);
        expect(heard).toEqual([]);
      }
    }
    expect(refused).toBe(PHASES.length * EVENTS.length - EXPECTED.length);
  });

  it('failed is final and lobby is left only by enter', () => {
    for (const event of EVENTS) expect(transition(STATUS.failed, event), event.type).toBeUndefined();
    expect(EVENTS.filter((event) => transition(STATUS.lobby, event)).map((e) => e.type)).toEqual(['enter']);
  });
});

describe('phases: what each status carries', () => {
  it('waiting holds the invite of its event (the room offered again after an early guest)', () => {
    expect(transition(STATUS.opening, EVENT['room-ready'])).toEqual({ phase: 'waiting', invite });
    expect(transition(STATUS.connecting, EVENT['guest-left-early'])).toEqual({ phase: 'waiting', invite: otherInvite });
    // A short code asked for, given or spent: the same phase, the new invite.
    expect(transition(STATUS.waiting, EVENT['invite-changed'])).toEqual({ phase: 'waiting', invite: otherInvite });
  });

  it('reconnecting keeps the safety code; a new connection keeps the reason unless it brings one; restored goes back to the same code', () => {
    const reconnecting = transition(STATUS.secure, { type: 'connection-lost', reason: lost, stage: 'ice-restart' });
    expect(reconnecting).toEqual({ phase: 'reconnecting', safetyCode: '11111 22222', reason: lost, stage: 'ice-restart' });
    expect(transition(reconnecting!, { type: 'new-connection' })).toEqual({ ...reconnecting, stage: 'new-connection' });
    const timedOut = new DuetError('peer-connection-failed', 'restart timed out');
    expect(transition(reconnecting!, { type: 'new-connection', reason: timedOut })).toEqual({ ...reconnecting, stage: 'new-connection', reason: timedOut });
    expect(transition(reconnecting!, EVENT.restored)).toEqual({ phase: 'secure', safetyCode: '11111 22222' });
  });

  it('secured carries its safety code; ended says who left; failed carries the error', () => {
    expect(transition(STATUS.securing, EVENT.secured)).toEqual({ phase: 'secure', safetyCode: '33333 44444' });
    expect(transition(STATUS.secure, EVENT['peer-left'])).toEqual({ phase: 'ended', reason: 'peer-left' });
    expect(transition(STATUS.secure, EVENT.leave)).toEqual({ phase: 'ended', reason: 'you-left' });
    expect(transition(STATUS.ended, EVENT.leave)).toEqual({ phase: 'ended', reason: 'you-left' });
    expect(transition(STATUS.waiting, EVENT.fail)).toEqual({ phase: 'failed', error: boom });
  });
});

describe('PhaseMachine', () => {
  it('starts in the lobby, moves only through dispatch, and tells its listener each new status once', () => {
    const heard: SessionStatus[] = [];
    const machine = new PhaseMachine((status) => heard.push(status));
    expect(machine.status).toEqual({ phase: 'lobby' });
    expect(machine.dispatch({ type: 'link-up' })).toBe(false);
    expect(machine.dispatch({ type: 'enter' })).toBe(true);
    expect(machine.dispatch({ type: 'join-sent' })).toBe(true);
    expect(machine.dispatch({ type: 'room-ready', invite })).toBe(false);
    expect(machine.is('connecting')).toBe(true);
    expect(machine.is('secure', 'reconnecting')).toBe(false);
    expect(heard.map((s) => s.phase)).toEqual(['opening', 'connecting']);
    expect(machine.status).toBe(heard.at(-1));
  });
});

describe('phases: the state diagram', () => {
  it('has one edge per row and phase, starting in the lobby and ending after failed', () => {
    const edges = stateDiagram().split('\n');
    expect(edges[0]).toBe('stateDiagram-v2');
    expect(edges).toContain('  [*] --> lobby');
    expect(edges).toContain('  failed --> [*]');
    for (const row of EXPECTED) {
      const [from, event, to] = row.split(' ');
      expect(edges, row).toContain(`  ${from} --> ${to} : ${event}`);
    }
    expect(edges).toHaveLength(EXPECTED.length + 3);
  });

  it('docs/PROTOCOL.md §6 holds the diagram of the current table (npm run docs:states writes it)', () => {
    const protocol = readFileSync(new URL('../../../docs/PROTOCOL.md', import.meta.url), 'utf8');
    expect(protocol).toContain(stateDiagram());
    expect(protocol).toBe(withStateDiagram(protocol));
  });

  it('refuses to write into a document without the markers', () => {
    expect(() => withStateDiagram('# no markers here')).toThrow(/markers/);
  });
});

function machineAt(status: SessionStatus, heard: SessionStatus[]): PhaseMachine {
  const machine = new PhaseMachine((next) => heard.push(next));
  // The machine starts in the lobby; walk it to `status` through the table itself.
  const path: Record<Phase, PhaseEvent[]> = {
    lobby: [],
    opening: [EVENT.enter],
    waiting: [EVENT.enter, EVENT['room-ready']],
    connecting: [EVENT.enter, EVENT['join-sent']],
    securing: [EVENT.enter, EVENT['join-sent'], EVENT['link-up']],
    secure: [EVENT.enter, EVENT['join-sent'], EVENT['link-up'], { type: 'secured', safetyCode: '11111 22222' }],
    reconnecting: [EVENT.enter, EVENT['join-sent'], EVENT['link-up'], { type: 'secured', safetyCode: '11111 22222' }, { type: 'connection-lost', reason: lost, stage: 'ice-restart' }],
    ended: [EVENT.enter, EVENT['join-sent'], EVENT['link-up'], { type: 'secured', safetyCode: '11111 22222' }, EVENT['peer-left']],
    failed: [EVENT.enter, { type: 'fail', error: boom }],
  };
  for (const event of path[status.phase]) expect(machine.dispatch(event)).toBe(true);
  expect(machine.status).toEqual(status);
  heard.length = 0;
  return machine;
}
