/**
 * The link code (WebRTC's library in the app) is loaded as a conversation starts, not
 * for the lobby; the first link waits for it, and a failed load is a named error.
 * LinkCode alone, then whole Sessions on the fake server and network.
 */
import { describe, expect, it, vi } from 'vitest';
import { DuetError } from '../../../src/core/errors.ts';
import { LinkCode } from '../../../src/session/link-code.ts';
import type { PeerLinkFactory } from '../../../src/transport/peer-link.ts';
import { createWorld, makeSession } from '../helpers/fake-transport.ts';
import { settle } from '../helpers/manual-clock.ts';
import { bothSecure, createdInvite, expectFailed, waitFor, waitForPhase } from '../helpers/session-pair.ts';

vi.setConfig({ testTimeout: 30_000 });

function deferred(): { promise: Promise<void>; resolve: () => void; reject: (error: Error) => void } {
  let resolve!: () => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const factory: PeerLinkFactory = () => {
  throw new Error('not called here');
};

describe('LinkCode', () => {
  it('loads once however often it is asked, and hands out the factory once loaded', async () => {
    const load = vi.fn(() => Promise.resolve(factory));
    const failed = vi.fn();
    const code = new LinkCode({ load, failed });
    expect(code.create).toBeUndefined();
    code.load();
    code.load();
    await code.settled();
    code.load();
    expect(load).toHaveBeenCalledTimes(1);
    expect(code.create).toBe(factory);
    expect(failed).not.toHaveBeenCalled();
  });

  it('reports a failed load as app-load-failed (thrown or rejected), settles without rejecting, and tries again when asked to load', async () => {
    const failed = vi.fn();
    const load = vi
      .fn<() => Promise<PeerLinkFactory>>()
      .mockImplementationOnce(() => {
        throw new TypeError('import() refused');
      })
      .mockImplementationOnce(() => Promise.reject(new TypeError('Failed to fetch dynamically imported module')))
      .mockImplementation(() => Promise.resolve(factory));
    const code = new LinkCode({ load, failed });

    code.load();
    await code.settled();
    expect(code.create).toBeUndefined();
    expect(failed).toHaveBeenCalledTimes(1);
    expect(failed.mock.calls[0]![0]).toBeInstanceOf(DuetError);
    expect(failed.mock.calls[0]![0].code).toBe('app-load-failed');

    // settled() alone does not try again: only load() does.
    await code.settled();
    expect(load).toHaveBeenCalledTimes(1);
    code.load();
    await code.settled();
    expect(failed).toHaveBeenCalledTimes(2);
    expect(failed.mock.calls[1]![0].cause).toBeInstanceOf(TypeError);

    code.load();
    await code.settled();
    expect(code.create).toBe(factory);
    expect(load).toHaveBeenCalledTimes(3);
  });

  it('whenLoaded runs its work once loaded (at once if it is), and not after forgetWaiting() or a failed load', async () => {
    let finish!: (create: PeerLinkFactory) => void;
    let refuse!: (error: Error) => void;
    const load = vi
      .fn<() => Promise<PeerLinkFactory>>()
      .mockImplementationOnce(() => new Promise((resolve) => (finish = resolve)))
      .mockImplementationOnce(() => new Promise((_resolve, reject) => (refuse = reject)));
    const ran: string[] = [];
    const forgotten = new LinkCode({ load, failed: () => {} });
    forgotten.whenLoaded(() => ran.push('for the peer that left'));
    forgotten.forgetWaiting();
    forgotten.whenLoaded(() => ran.push('for the next peer'));
    expect(ran).toEqual([]);
    finish(factory);
    await forgotten.settled();
    expect(ran).toEqual(['for the next peer']);
    forgotten.whenLoaded(() => ran.push('at once'));
    expect(ran).toEqual(['for the next peer', 'at once']);

    const failing = new LinkCode({ load, failed: () => {} });
    failing.whenLoaded(() => ran.push('never'));
    refuse(new TypeError('offline'));
    await failing.settled();
    expect(ran).toEqual(['for the next peer', 'at once']);
  });

  it('settled() starts the load if nobody did', async () => {
    const load = vi.fn(() => Promise.resolve(factory));
    const code = new LinkCode({ load, failed: () => {} });
    await code.settled();
    expect(load).toHaveBeenCalledTimes(1);
    expect(code.create).toBe(factory);
  });
});

describe('Session: the link code is loaded as a conversation starts', () => {
  it('is not loaded for the lobby (nor by asking the server about a relay); Create room and Join load it', async () => {
    const world = createWorld();
    const [host, guest] = await Promise.all([makeSession(world), makeSession(world)]);
    host.checkRelay();
    await settle();
    expect(world.network.codeLoads).toEqual([]);
    const invite = await createdInvite(host);
    expect(world.network.codeLoads).toEqual([host]);
    await guest.joinRoom('Bruno', invite.link);
    expect(world.network.codeLoads).toEqual([host, guest]);
    await bothSecure(host, guest);
    // Once per conversation: reconnections and later links use what was loaded.
    expect(world.network.codeLoads).toEqual([host, guest]);
  });

  it('a code being typed in the lobby starts the load (Join then finds it there); a failed one there changes nothing, and Join tries again', async () => {
    const world = createWorld();
    const [host, guest] = await Promise.all([makeSession(world), makeSession(world)]);
    let refusals = 1;
    world.network.codeGate = (owner) => (owner === guest && refusals-- > 0 ? Promise.reject(new TypeError('offline for a moment')) : undefined);
    guest.prepareToJoin();
    guest.prepareToJoin();
    await settle();
    expect(world.network.codeLoads).toEqual([guest]);
    expect(guest.status).toEqual({ phase: 'lobby' });
    expect(guest.notices).toEqual([]);
    const invite = await createdInvite(host);
    await guest.joinRoom('Bruno', invite.link);
    await bothSecure(host, guest);
    expect(world.network.codeLoads).toEqual([guest, host, guest]);
  });

  it("host: the guest arrives before the host's link code; the host sends no session nonce until it has it, then both get secure", async () => {
    const world = createWorld();
    const [host, guest] = await Promise.all([makeSession(world), makeSession(world)]);
    const hostCode = deferred();
    world.network.codeGate = (owner) => (owner === host ? hostCode.promise : undefined);
    const signals: string[] = [];
    world.server.intercept = (message, from) => {
      if (from === world.server.connectionOf(host) && message.type === 'signal') signals.push(message.type);
      return message;
    };
    const invite = await createdInvite(host);
    await guest.joinRoom('Bruno', invite.link);
    await waitForPhase(host, 'connecting');
    await waitForPhase(guest, 'connecting');
    await settle();
    expect(signals).toEqual([]);
    expect(world.network.links).toEqual([]);

    hostCode.resolve();
    await bothSecure(host, guest);
    expect(world.network.linksOf(host)).toHaveLength(1);
    expect(world.network.linksOf(guest)).toHaveLength(1);
  });

  it("guest: the host's session nonce arrives before the guest's link code; the guest makes its link once it has it, then both get secure", async () => {
    const world = createWorld();
    const [host, guest] = await Promise.all([makeSession(world), makeSession(world)]);
    const guestCode = deferred();
    world.network.codeGate = (owner) => (owner === guest ? guestCode.promise : undefined);
    const invite = await createdInvite(host);
    await guest.joinRoom('Bruno', invite.link);
    // The host made its link right after sending the nonce.
    await waitFor(() => expect(world.network.linksOf(host)).toHaveLength(1));
    await settle();
    expect(world.network.linksOf(guest)).toEqual([]);
    expect(guest.status.phase).toBe('connecting');

    guestCode.resolve();
    await bothSecure(host, guest);
    expect(world.network.linksOf(guest)).toHaveLength(1);
  });

  it('a failed load ends the conversation with app-load-failed at once, without waiting for the peer', async () => {
    const world = createWorld();
    const host = await makeSession(world);
    world.network.codeGate = () => Promise.reject(new TypeError('Failed to fetch dynamically imported module'));
    await host.createRoom('Alice');
    await expectFailed(host, 'app-load-failed');
    expect(world.network.links).toEqual([]);
  });

  it('a join whose load failed while its short code was still being read tries again as it enters the room', async () => {
    const world = createWorld();
    const [host, guest] = await Promise.all([makeSession(world), makeSession(world)]);
    const invite = await createdInvite(host);
    let refusals = 1;
    world.network.codeGate = (owner) => (owner === guest && refusals-- > 0 ? Promise.reject(new TypeError('offline for a moment')) : undefined);
    // An unreadable code first: the load started, failed in the lobby, and changed nothing.
    await expect(guest.joinRoom('Bruno', 'not a code')).rejects.toMatchObject({ code: 'invalid-code' });
    await settle();
    expect(guest.status.phase).toBe('lobby');
    await guest.joinRoom('Bruno', invite.link);
    await bothSecure(host, guest);
    expect(world.network.codeLoads.filter((owner) => owner === guest)).toHaveLength(2);
  });
});
