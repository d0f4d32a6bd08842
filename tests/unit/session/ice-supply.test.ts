/**
 * ICE servers at run time, "Hide my IP address from my peer", Direct or Relayed, and a
 * draining server, through whole Sessions on the fake server and network (ManualClock:
 * no timer fires unless a test moves it).
 */
import { describe, expect, it, vi } from 'vitest';
import type { Session } from '../../../src/session/session.ts';
import type { IceServer } from '../../../signaling/protocol.ts';
import { type FakeSignalingConnection, type World, createWorld, makeSession, phaseHistory } from '../helpers/fake-transport.ts';
import { settle } from '../helpers/manual-clock.ts';
import { bothSecure, createdInvite, expectFailed, securePair, shortCodeOf, waitFor, waitForPhase } from '../helpers/session-pair.ts';

vi.setConfig({ testTimeout: 30_000 });

const TURN = 'turn:turn.duet.test:3478?transport=udp';

/** The fake server hands out TURN credentials like the real one: a new username each time, valid for `ttlMs`. */
function issueTurn(world: World, ttlMs: number): Map<unknown, IceServer[][]> {
  const issued = new Map<unknown, IceServer[][]>();
  let serial = 0;
  world.server.issueIce = (to: FakeSignalingConnection) => {
    const iceServers = [{ urls: [TURN], username: `user-${++serial}`, credential: `secret-${serial}` }];
    issued.set(to.owner, [...(issued.get(to.owner) ?? []), iceServers]);
    return { iceServers, expiresAt: world.clock.now() + ttlMs };
  };
  return issued;
}

function refreshesFrom(world: World, session: Session): number {
  return world.server.connections.filter((c) => c.owner === session).flatMap((c) => c.sent).filter((m) => m.type === 'refresh-ice').length;
}

function peerTexts(session: Session): string[] {
  return session.messages.filter((m) => m.from === 'peer').map((m) => m.text);
}

describe('ICE servers from the signaling server', () => {
  it('each peer connection uses the servers handed to its side, not the build-time list', async () => {
    const world = createWorld();
    const issued = issueTurn(world, 3_600_000);
    const fallback = [{ urls: 'stun:stun.build.test' }];
    const { host, guest } = await securePair(world, { host: { iceServers: fallback }, guest: { iceServers: fallback } });
    expect(world.network.linkOf(host)!.options).toMatchObject({ iceServers: issued.get(host)!.at(-1), iceTransportPolicy: 'all' });
    expect(world.network.linkOf(guest)!.options).toMatchObject({ iceServers: issued.get(guest)!.at(-1), iceTransportPolicy: 'all' });
    // Fresh credentials: nobody asked again.
    expect([refreshesFrom(world, host), refreshesFrom(world, guest)]).toEqual([0, 0]);
  });

  it('without any from the server, the build-time list; without that, none at all', async () => {
    const fallback = [{ urls: 'stun:stun.build.test' }];
    const built = await securePair(createWorld(), { host: { iceServers: fallback }, guest: { iceServers: fallback } });
    expect(built.world.network.linkOf(built.host)!.options.iceServers).toEqual(fallback);
    const bare = await securePair();
    expect(bare.world.network.links.map((link) => [link.options.iceServers, link.options.iceTransportPolicy])).toEqual([
      [[], 'all'],
      [[], 'all'],
    ]);
  });

  it('credentials about to expire are refreshed before an ICE restart, and the live links take the fresh ones', async () => {
    const world = createWorld();
    // Always within a minute of expiry: every new connection and restart asks first.
    const issued = issueTurn(world, 30_000);
    const { host, guest, safetyCode } = await securePair(world);
    expect([refreshesFrom(world, host), refreshesFrom(world, guest)]).toEqual([1, 1]);
    expect(world.network.linkOf(host)!.options.iceServers).toEqual(issued.get(host)!.at(-1));
    const [hostLink, guestLink] = [world.network.linkOf(host)!, world.network.linkOf(guest)!];

    world.network.breakPath(hostLink);
    await waitFor(() => expect(guestLink.restartIceCalls).toBe(1));
    await waitFor(() => expect([host.status, guest.status]).toEqual([{ phase: 'secure', safetyCode }, { phase: 'secure', safetyCode }]));
    expect([refreshesFrom(world, host), refreshesFrom(world, guest)]).toEqual([2, 2]);
    // Same peer connections, given the credentials issued by the refresh, before the restart.
    expect(world.network.links.length).toBe(2);
    expect(hostLink.iceServerUpdates).toEqual([issued.get(host)!.at(-1)]);
    expect(guestLink.iceServerUpdates).toEqual([issued.get(guest)!.at(-1)]);
    expect(guestLink.restartIceCalls).toBe(1);
  });

  it('credentials about to expire are refreshed before a new connection, which is made with the fresh ones', async () => {
    const world = createWorld();
    const issued = issueTurn(world, 30_000);
    const { host, guest } = await securePair(world);
    host.simulateConnectionLoss();
    await waitFor(() => expect(world.network.links.length).toBe(4));
    await waitForPhase(host, 'secure');
    await waitForPhase(guest, 'secure');
    expect(world.network.linkOf(host)!.options.iceServers).toEqual(issued.get(host)!.at(-1));
    expect(world.network.linkOf(guest)!.options.iceServers).toEqual(issued.get(guest)!.at(-1));
    expect(issued.get(host)!.length).toBeGreaterThanOrEqual(3); // created, refresh, refresh
  });

  it('a refresh the server does not answer holds each side at most 2 s, then the restart goes on with what it has', async () => {
    const world = createWorld();
    issueTurn(world, 30_000);
    const { host, guest, safetyCode } = await securePair(world);
    world.server.issueIce = undefined; // refresh-ice now goes unanswered
    const guestLink = world.network.linkOf(guest)!;
    world.network.breakPath(world.network.linkOf(host)!);
    await waitFor(() => expect(refreshesFrom(world, host)).toBe(2));
    await settle();
    expect(refreshesFrom(world, guest)).toBe(1); // the guest has not heard of a restart yet
    world.clock.advance(2_000);
    // The host announced it; the guest, the offerer, asks in turn before its new offer.
    await waitFor(() => expect(refreshesFrom(world, guest)).toBe(2));
    await settle();
    expect(guestLink.restartIceCalls).toBe(0);
    world.clock.advance(2_000);
    await waitFor(() => expect(guestLink.restartIceCalls).toBe(1));
    await waitFor(() => expect([host.status, guest.status]).toEqual([{ phase: 'secure', safetyCode }, { phase: 'secure', safetyCode }]));
    expect(world.network.links.length).toBe(2);
  });
});

describe('Hide my IP address from my peer', () => {
  it('relay-only: that side’s connection gathers relay candidates only, and both sides say Relayed', async () => {
    const world = createWorld();
    issueTurn(world, 3_600_000);
    const [host, guest] = await Promise.all([makeSession(world), makeSession(world)]);
    host.setAddressPolicy('relay-only');
    const invite = await createdInvite(host);
    await guest.joinRoom('Bruno', invite.link);
    await waitForPhase(host, 'secure');
    await waitForPhase(guest, 'secure');
    expect(world.network.linkOf(host)!.options.iceTransportPolicy).toBe('relay');
    expect(world.network.linkOf(guest)!.options.iceTransportPolicy).toBe('all');
    await waitFor(() => expect([host.route, guest.route]).toEqual(['relayed', 'relayed']));
  });

  it('relay-only with no TURN server anywhere fails with relay-unavailable before any peer connection is made', async () => {
    const world = createWorld(); // the server hands out no ICE servers, and there is no build-time list
    const [host, guest] = await Promise.all([makeSession(world), makeSession(world)]);
    host.setAddressPolicy('relay-only');
    const invite = await createdInvite(host);
    await guest.joinRoom('Bruno', invite.link);
    await expectFailed(host, 'relay-unavailable');
    expect(world.network.links).toEqual([]);
  });

  it('relay-only for a guest whose server offers none: relay-unavailable, no direct connection', async () => {
    const world = createWorld();
    const [host, guest] = await Promise.all([makeSession(world), makeSession(world)]);
    guest.setAddressPolicy('relay-only');
    const invite = await createdInvite(host);
    await guest.joinRoom('Bruno', invite.link);
    await expectFailed(guest, 'relay-unavailable');
    expect(world.network.linksOf(guest)).toEqual([]);
  });

  it('the lobby learns before entering a room whether the server offers a relay; relay-only where it does not is refused at once', async () => {
    const world = createWorld();
    const session = await makeSession(world);
    expect(session.relayOffer).toBe('unknown');
    session.checkRelay();
    await waitFor(() => expect(session.relayOffer).toBe('none'));
    // Asked on a connection of its own, closed after the answer.
    expect(world.server.connections.map((c) => [c.sent.map((m) => m.type), c.open])).toEqual([[['server-info'], false]]);
    session.setAddressPolicy('relay-only');
    await expect(session.createRoom('Alice')).rejects.toMatchObject({ code: 'relay-unavailable' });
    expect(session.status.phase).toBe('lobby');
    expect(world.server.connections.length).toBe(1);

    world.server.relay = 'offered';
    const other = await makeSession(world);
    other.checkRelay();
    await waitFor(() => expect(other.relayOffer).toBe('offered'));
    // A build-time TURN server offers one without asking.
    expect((await makeSession(createWorld(), { iceServers: [{ urls: TURN, username: 'u', credential: 'c' }] })).relayOffer).toBe('offered');
  });

  it('an unreachable server leaves the offer unknown', async () => {
    const world = createWorld({ signaling: { failConnect: true } });
    const session = await makeSession(world);
    const changed = new Promise<void>((resolve) => session.subscribe(resolve));
    session.checkRelay();
    await changed;
    expect(session.relayOffer).toBe('unknown');
  });
});

describe('Direct or Relayed', () => {
  it('is read once secure, and again after an ICE restart', async () => {
    const { world, host, guest, safetyCode } = await securePair();
    await waitFor(() => expect([host.route, guest.route]).toEqual(['direct', 'direct']));
    const [hostLink, guestLink] = [world.network.linkOf(host)!, world.network.linkOf(guest)!];
    // The restart finds only a path through a relay.
    hostLink.routeAs = 'relayed';
    guestLink.routeAs = 'relayed';
    world.network.breakPath(hostLink);
    await waitFor(async () => expect([(await host.diagnostics()).iceRestarts, (await guest.diagnostics()).iceRestarts]).toEqual([1, 1]));
    await waitFor(() => expect([host.status, guest.status]).toEqual([{ phase: 'secure', safetyCode }, { phase: 'secure', safetyCode }]));
    await waitFor(() => expect([host.route, guest.route]).toEqual(['relayed', 'relayed']));
    expect(await host.diagnostics()).toMatchObject({ route: 'relayed', iceRestarts: 1 });
  });

  it('is read again when the peer’s relay candidate arrives after ICE chose a path through it', async () => {
    const { world, host, guest } = await securePair();
    await waitFor(() => expect([host.route, guest.route]).toEqual(['direct', 'direct']));
    world.network.linkOf(guest)!.learnRemoteRelay();
    await waitFor(() => expect(guest.route).toBe('relayed'));
    expect(host.route).toBe('direct');
  });
});

describe('a draining signaling server', () => {
  it('"reconnect" while secure: the socket is opened again (with backoff) and the room rejoined; the chat never notices', async () => {
    const { world, host, guest, safetyCode } = await securePair();
    const first = world.server.connectionOf(host)!;
    world.server.deliverTo(host, { type: 'reconnect' });
    await settle();
    world.server.failConnect = true; // the first try finds no instance
    world.server.drop(host);
    await settle();
    expect(world.server.connectionOf(host)).toBeUndefined();
    world.server.failConnect = false;
    world.clock.advance(999);
    await settle();
    expect(world.server.connectionOf(host)).toBeUndefined();
    world.clock.advance(1);
    await waitFor(() => expect(world.server.connectionOf(host)?.sent.map((m) => m.type)).toEqual(['join']));
    expect(world.server.connectionOf(host)).not.toBe(first);
    await waitFor(() => expect(world.server.connectionOf(host)!.received.map((m) => m.type)).toContain('joined'));
    await waitFor(() => expect(world.server.connectionOf(guest)!.received.map((m) => m.type)).toContain('peer-joined'));
    await settle();

    expect([host.status, guest.status]).toEqual([{ phase: 'secure', safetyCode }, { phase: 'secure', safetyCode }]);
    expect([...phaseHistory(host), ...phaseHistory(guest)]).not.toContain('reconnecting');
    expect(world.network.links.length).toBe(2);
    await host.send('after the drain');
    await guest.send('still here');
    await waitFor(() => expect(peerTexts(guest)).toEqual(['after the drain']));
    await waitFor(() => expect(peerTexts(host)).toEqual(['still here']));
  });

  it('"reconnect" while the host waits: the room is made again under the same id, the link still works, a short code is dropped', async () => {
    const world = createWorld();
    const [host, guest] = await Promise.all([makeSession(world), makeSession(world)]);
    const invite = await createdInvite(host);
    await shortCodeOf(host);
    world.server.deliverTo(host, { type: 'reconnect' });
    await settle();
    world.server.drop(host);
    await settle();
    // The host was alone: its room closed with its socket, and the new socket makes it again.
    await waitFor(() => expect(world.server.connectionOf(host)?.sent.map((m) => m.type)).toEqual(['create']));
    await waitFor(() => expect(world.server.roomCount()).toBe(1));
    // The number went with the old room: no short code is shown that would lead nowhere.
    await waitFor(() => expect(host.status).toEqual({ phase: 'waiting', invite: { ...invite, shortCode: { state: 'none' } } }));
    expect(host.notices).toEqual([]);
    await guest.joinRoom('Bruno', invite.link);
    await bothSecure(host, guest);
  });

  it('a socket that closes without "reconnect" while secure is left closed, as before', async () => {
    const { world, host } = await securePair();
    world.server.drop(host);
    await settle();
    world.clock.advance(1_000);
    await settle();
    expect(world.server.connectionOf(host)).toBeUndefined();
    expect(host.status.phase).toBe('secure');
  });
});
