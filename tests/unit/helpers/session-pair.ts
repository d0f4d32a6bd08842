/**
 * Two ChatSessions in one fake world, and waiting for what they do: shared by
 * the Session and file-transfer tests. Nothing sleeps; conditions are polled.
 */
import { expect, vi } from 'vitest';
import { DuetError, type ErrorCode } from '../../../src/core/errors.ts';
import type { Session, Invite, SessionStatus } from '../../../src/session/session.ts';
import { type MakeSessionOptions, type World, createWorld, makeSession } from './fake-transport.ts';

/** Generous for real crypto on a busy machine. */
export const TIMEOUT = 8_000;

export function waitFor<T>(check: () => T | Promise<T>, timeout = TIMEOUT): Promise<T> {
  return vi.waitFor(check, { timeout, interval: 5 });
}

export async function waitForPhase<P extends SessionStatus['phase']>(
  session: Session,
  phase: P,
  timeout = TIMEOUT,
): Promise<Extract<SessionStatus, { phase: P }>> {
  await waitFor(() => expect(session.status.phase).toBe(phase), timeout);
  return session.status as Extract<SessionStatus, { phase: P }>;
}

/** Waits until the session failed, then checks it failed with exactly this code. */
export async function expectFailed(session: Session, code: ErrorCode): Promise<void> {
  const status = await waitForPhase(session, 'failed');
  expect(status.error).toBeInstanceOf(DuetError);
  expect(status.error.code).toBe(code);
}

export async function createdInvite(host: Session, name = 'Alice'): Promise<Invite> {
  await host.createRoom(name);
  return (await waitForPhase(host, 'waiting')).invite;
}

/** (Host, waiting) asks for a short code and waits until the invite shows it. */
export async function shortCodeOf(host: Session): Promise<string> {
  host.requestShortCode();
  let code = '';
  await waitFor(() => {
    const offer = host.invite?.shortCode;
    expect(offer?.state).toBe('ready');
    if (offer?.state === 'ready') code = offer.code;
  });
  return code;
}

export function noticeCodes(session: Session): string[] {
  return session.notices.map((n) => n.error.code);
}

export async function bothSecure(a: Session, b: Session, timeout = TIMEOUT): Promise<string> {
  const [sa, sb] = await Promise.all([waitForPhase(a, 'secure', timeout), waitForPhase(b, 'secure', timeout)]);
  expect(sa.safetyCode).toBe(sb.safetyCode);
  // Each side has the other's profile (sent right after the handshake).
  await waitFor(() => expect(a.peerName !== '' && b.peerName !== '').toBe(true));
  return sa.safetyCode;
}

export interface Pair {
  world: World;
  host: Session;
  guest: Session;
  invite: Invite;
  safetyCode: string;
}

/** Alice creates, Bruno joins by link, both reach secure. */
export async function securePair(
  world: World = createWorld(),
  options: { host?: MakeSessionOptions; guest?: MakeSessionOptions; hostName?: string; guestName?: string } = {},
): Promise<Pair> {
  const [host, guest] = await Promise.all([makeSession(world, options.host), makeSession(world, options.guest)]);
  const invite = await createdInvite(host, options.hostName ?? 'Alice');
  await guest.joinRoom(options.guestName ?? 'Bruno', invite.link);
  const safetyCode = await bothSecure(host, guest);
  return { world, host, guest, invite, safetyCode };
}

