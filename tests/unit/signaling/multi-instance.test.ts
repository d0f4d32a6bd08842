/**
 * Two signaling instances (createSignalingServer) on one real redis-server, with real
 * WebSocket clients: the two people of a room may be on different instances, a third
 * is refused on either, an instance killed outright costs only its own sockets, and
 * nameplates stay unique across instances.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RoomId, ServerMessage } from '../../../signaling/protocol.ts';
import { type SignalingServer, createSignalingServer } from '../../../signaling/server.ts';
import { type RedisServer, skipWithoutRedis, startRedis } from '../helpers/redis-server.ts';
import { WsClient } from '../helpers/ws-client.ts';

const skipRedis = skipWithoutRedis();
/** Short, so a dead instance's places lapse quickly (a full room is asked again for this long). */
const LEASE_MS = 800;

let redis: RedisServer;
let prefix: string;
const servers: SignalingServer[] = [];
const clients: WsClient[] = [];
const children: ChildProcess[] = [];

beforeAll(async () => {
  if (!skipRedis) redis = await startRedis();
});
afterAll(async () => {
  await redis?.stop();
});
beforeEach(() => {
  prefix = `mi${randomBytes(4).toString('hex')}:`;
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
  await Promise.all(servers.splice(0).map((server) => server.close()));
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

function roomId(): RoomId {
  return randomBytes(16).toString('base64url') as RoomId;
}

function payload(label: string): string {
  return Buffer.from(label).toString('base64url');
}

async function instance(): Promise<SignalingServer> {
  const server = await createSignalingServer({
    port: 0,
    host: '127.0.0.1',
    log: () => {},
    store: { kind: 'redis', url: redis.url, prefix, leaseMs: LEASE_MS },
    limits: { maxConnectionsPerIp: 500, messageBurst: 500 },
  });
  servers.push(server);
  return server;
}

/** An instance in a child process, to be killed with SIGKILL. */
async function killableInstance(): Promise<{ wsUrl: string; instanceId: string; kill: () => Promise<void> }> {
  const child = fork(fileURLToPath(new URL('../helpers/redis-instance-main.ts', import.meta.url)), [JSON.stringify({ url: redis.url, prefix, leaseMs: LEASE_MS })], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  children.push(child);
  const [ready] = (await once(child, 'message')) as [{ wsUrl: string; instanceId: string }];
  return {
    ...ready,
    kill: async () => {
      const exited = once(child, 'exit');
      child.kill('SIGKILL');
      await exited;
    },
  };
}

async function connect(url: string): Promise<WsClient> {
  const client = await WsClient.connect(url);
  clients.push(client);
  return client;
}

/** Sends labelled signals one way and checks each arrives once, in order. */
async function signalsArrive(from: WsClient, to: WsClient, labels: string[]): Promise<void> {
  for (const label of labels) from.send({ type: 'signal', payload: payload(label) });
  for (const label of labels) expect(await to.next()).toEqual({ type: 'signal', payload: payload(label) });
}

describe.skipIf(skipRedis)('two signaling instances on one Redis', () => {
  it('puts Alice on A and Bob on B in one room by link, and relays both ways', async () => {
    const [a, b] = [await instance(), await instance()];
    const room = roomId();
    const alice = await connect(a.wsUrl);
    expect(await alice.request({ type: 'create', room })).toEqual({ type: 'created', room });
    const bob = await connect(b.wsUrl);
    expect(await bob.request({ type: 'join', room })).toEqual({ type: 'joined', room });
    expect(await alice.next()).toEqual({ type: 'peer-joined', via: 'link' });
    await signalsArrive(alice, bob, ['offer', 'candidate-1', 'candidate-2']);
    await signalsArrive(bob, alice, ['answer', 'candidate-3']);
    bob.send({ type: 'leave' });
    expect(await alice.next()).toEqual({ type: 'peer-left' });
  });

  /** Alice makes a room on A and claims its nameplate; the guest joins it by that number on B. */
  async function joinedByNameplate(): Promise<{ room: string; alice: WsClient; guest: WsClient; b: SignalingServer }> {
    const [a, b] = [await instance(), await instance()];
    const room = roomId();
    const alice = await connect(a.wsUrl);
    await alice.request({ type: 'create', room });
    const claimed = await alice.request({ type: 'claim-nameplate' });
    if (claimed.type !== 'nameplate') throw new Error(`no nameplate: ${JSON.stringify(claimed)}`);
    const guest = await connect(b.wsUrl);
    expect(await guest.request({ type: 'join-short', nameplate: claimed.nameplate })).toEqual({ type: 'joined', room });
    expect(await alice.next()).toEqual({ type: 'peer-joined', via: 'short' });
    return { room, alice, guest, b };
  }

  it('puts Bob on B into Alice’s room on A by nameplate', async () => {
    const { alice, guest: bob } = await joinedByNameplate();
    await signalsArrive(bob, alice, ['pake-1']);
    await signalsArrive(alice, bob, ['pake-2']);
  });

  it('lets Alice on A evict Mallory on B, who hears it there; Bob then takes the place', async () => {
    const { room, alice, guest: mallory, b } = await joinedByNameplate();
    // Mallory, the newer member, cannot turn Alice out.
    mallory.send({ type: 'evict' });
    await signalsArrive(mallory, alice, ['still-here']);
    alice.send({ type: 'evict' });
    expect(await mallory.next()).toMatchObject({ type: 'error', code: 'evicted' });
    expect(await mallory.request({ type: 'signal', payload: payload('after') })).toMatchObject({ type: 'error', code: 'not-in-room' });
    const bob = await connect(b.wsUrl);
    expect(await bob.request({ type: 'join', room })).toEqual({ type: 'joined', room });
    expect(await alice.next()).toEqual({ type: 'peer-joined', via: 'link' });
    await signalsArrive(alice, bob, ['welcome']);
  });

  it('refuses a third person on either instance, by link or by nameplate, and the pair goes on', async () => {
    const [a, b] = [await instance(), await instance()];
    const room = roomId();
    const alice = await connect(a.wsUrl);
    await alice.request({ type: 'create', room });
    const claimed = await alice.request({ type: 'claim-nameplate' });
    const nameplate = claimed.type === 'nameplate' ? claimed.nameplate : undefined;
    const bob = await connect(b.wsUrl);
    await bob.request({ type: 'join', room });
    await alice.next();
    for (const [i, url] of [a.wsUrl, b.wsUrl].entries()) {
      const carol = await connect(url);
      expect(await carol.request({ type: 'join', room })).toMatchObject({ type: 'error', code: 'room-full' });
      // The first try spends the number (one join per short code); the second finds nothing.
      expect(await carol.request({ type: 'join-short', nameplate })).toMatchObject({ type: 'error', code: i === 0 ? 'room-full' : 'room-not-found' });
      expect(await carol.request({ type: 'signal', payload: payload('intrusion') })).toMatchObject({ type: 'error', code: 'not-in-room' });
    }
    await signalsArrive(alice, bob, ['still-us']);
    expect(alice.unread).toEqual([]);
  }, 20_000);

  it('survives instance A killed mid-room: Alice rejoins through B, no signal lost or duplicated', async () => {
    const a = await killableInstance();
    const b = await instance();
    const room = roomId();
    const alice = await connect(a.wsUrl);
    expect(await alice.request({ type: 'create', room })).toMatchObject({ type: 'created', room });
    const bob = await connect(b.wsUrl);
    expect(await bob.request({ type: 'join', room })).toEqual({ type: 'joined', room });
    expect(await alice.next()).toEqual({ type: 'peer-joined', via: 'link' });
    await signalsArrive(alice, bob, ['before-1', 'before-2']);
    await signalsArrive(bob, alice, ['before-3']);

    await a.kill();
    await alice.closed;
    // Once Redis has seen A's subscription go, a signal for Alice is refused, not dropped in silence.
    const probe = new Redis(redis.url);
    try {
      await expect
        .poll(async () => ((await probe.pubsub('NUMSUB', `${prefix}i:${a.instanceId}`)) as [string, number])[1], { timeout: 5_000 })
        .toBe(0);
    } finally {
      probe.disconnect();
    }
    expect(await bob.request({ type: 'signal', payload: payload('while-alice-is-away') })).toMatchObject({ type: 'error', code: 'no-peer' });

    // Alice's client does what it does after any dropped socket: connect again, join the room again.
    const aliceAgain = await connect(b.wsUrl);
    expect(await aliceAgain.request({ type: 'join', room })).toEqual({ type: 'joined', room });
    // Bob hears what a closed socket would have told him, then that Alice is back.
    expect(await bob.next()).toEqual({ type: 'peer-left' });
    expect(await bob.next()).toEqual({ type: 'peer-joined', via: 'link' });
    await signalsArrive(aliceAgain, bob, ['after-1', 'after-2']);
    await signalsArrive(bob, aliceAgain, ['after-3', 'after-4']);
    // Nothing more on either side: no duplicate, no stray frame.
    await signalsArrive(aliceAgain, bob, ['sentinel']);
    await signalsArrive(bob, aliceAgain, ['sentinel']);
    expect(bob.unread).toEqual([]);
    expect(aliceAgain.unread).toEqual([]);
  }, 20_000);

  it('never gives two of two hundred rooms created at once across both instances the same nameplate', async () => {
    const [a, b] = [await instance(), await instance()];
    const hosts = await Promise.all(Array.from({ length: 200 }, (_, i) => connect(i % 2 === 0 ? a.wsUrl : b.wsUrl)));
    await Promise.all(hosts.map((host) => host.request({ type: 'create', room: roomId() })));
    const replies: ServerMessage[] = await Promise.all(hosts.map((host) => host.request({ type: 'claim-nameplate' })));
    const nameplates = replies.map((reply) => (reply.type === 'nameplate' ? reply.nameplate : undefined));
    expect(nameplates.every((n) => typeof n === 'number')).toBe(true);
    expect(new Set(nameplates).size).toBe(200);
  }, 20_000);
});
