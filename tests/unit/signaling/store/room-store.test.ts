/**
 * One test suite for both RoomStore implementations: the in-memory one, and the Redis
 * one against a real redis-server started for this file (tests/unit/helpers/redis-server.ts).
 * Then what only Redis can do: several instances sharing rooms.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RoomId } from '../../../../signaling/protocol.ts';
import { MemoryRoomStore } from '../../../../signaling/store/memory-store.ts';
import { RedisRoomStore } from '../../../../signaling/store/redis-store.ts';
import type { MemberId, RoomStore } from '../../../../signaling/store/room-store.ts';
import { type RedisServer, skipWithoutRedis, startRedis } from '../../helpers/redis-server.ts';

const skipRedis = skipWithoutRedis();
let redis: RedisServer | undefined;

beforeAll(async () => {
  if (!skipRedis) redis = await startRedis();
});
afterAll(async () => {
  await redis?.stop();
});

function roomId(): RoomId {
  return randomBytes(16).toString('base64url') as RoomId;
}

/** A store and what it delivered to its members, in order. */
interface Harness {
  store: RoomStore;
  deliveries: { to: MemberId; frame: string }[];
  /** Resolves once `count` frames have been delivered in all. */
  delivered(count: number): Promise<void>;
}

async function harness(store: RoomStore): Promise<Harness> {
  const deliveries: Harness['deliveries'] = [];
  const waiters: { count: number; resolve: () => void }[] = [];
  store.setDelivery((to, frame) => {
    deliveries.push({ to, frame });
    for (const waiter of waiters.filter((w) => deliveries.length >= w.count)) waiter.resolve();
  });
  await store.start();
  return {
    store,
    deliveries,
    delivered: (count) =>
      deliveries.length >= count ? Promise.resolve() : new Promise((resolve) => waiters.push({ count, resolve })),
  };
}

const opened: RoomStore[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((store) => store.close()));
});

type Factory = (prefix: string) => RoomStore;
const implementations: [name: string, factory: Factory, skip: boolean][] = [
  ['in memory', () => new MemoryRoomStore(), false],
  ['in Redis', (prefix) => new RedisRoomStore({ url: redis!.url, prefix }), skipRedis],
];

for (const [name, factory, skip] of implementations) {
  describe.skipIf(skip)(`RoomStore ${name}`, () => {
    let h: Harness;
    let store: RoomStore;
    const setUp = async () => {
      store = factory(`t${randomBytes(4).toString('hex')}:`);
      opened.push(store);
      h = await harness(store);
    };

    it('creates a room once: the same id again is room-exists', async () => {
      await setUp();
      const room = roomId();
      expect(await store.createRoom(room, store.newMemberId())).toBe('created');
      expect(await store.createRoom(room, store.newMemberId())).toBe('room-exists');
    });

    it('lets one more person join, then refuses a third (room-full); a missing room is room-not-found', async () => {
      await setUp();
      const room = roomId();
      const [alice, bob, carol] = [store.newMemberId(), store.newMemberId(), store.newMemberId()];
      expect(await store.joinRoom(room, bob)).toEqual({ ok: false, code: 'room-not-found' });
      await store.createRoom(room, alice);
      expect(await store.joinRoom(room, bob)).toEqual({ ok: true, peers: [alice], vacated: [] });
      expect(await store.joinRoom(room, carol)).toEqual({ ok: false, code: 'room-full' });
    });

    it('takes the last place only once when many join at the same moment', async () => {
      await setUp();
      const room = roomId();
      await store.createRoom(room, store.newMemberId());
      const results = await Promise.all(Array.from({ length: 20 }, () => store.joinRoom(room, store.newMemberId())));
      expect(results.filter((r) => r.ok)).toHaveLength(1);
      expect(results.filter((r) => !r.ok && r.code === 'room-full')).toHaveLength(19);
    });

    it('tells who stays when someone leaves; the last one out closes the room and its id is free again', async () => {
      await setUp();
      const room = roomId();
      const [alice, bob] = [store.newMemberId(), store.newMemberId()];
      await store.createRoom(room, alice);
      await store.joinRoom(room, bob);
      expect(await store.leaveRoom(room, store.newMemberId())).toEqual({ status: 'not-in-room' });
      expect(await store.leaveRoom(room, alice)).toEqual({ status: 'left', peers: [bob], closed: false });
      expect(await store.leaveRoom(room, alice)).toEqual({ status: 'not-in-room' });
      expect(await store.leaveRoom(room, bob)).toEqual({ status: 'left', peers: [], closed: true });
      expect(await store.joinRoom(room, alice)).toEqual({ ok: false, code: 'room-not-found' });
      expect(await store.createRoom(room, alice)).toBe('created');
    });

    it('relays a frame to the peer only, and refuses a stranger', async () => {
      await setUp();
      const room = roomId();
      const [alice, bob] = [store.newMemberId(), store.newMemberId()];
      await store.createRoom(room, alice);
      expect(await store.relay(room, alice, 'alone')).toEqual({ status: 'relayed', peers: 0 });
      await store.joinRoom(room, bob);
      expect(await store.relay(room, store.newMemberId(), 'stranger')).toEqual({ status: 'not-in-room' });
      expect(await store.relay(room, alice, 'to-bob')).toEqual({ status: 'relayed', peers: 1 });
      expect(await store.relay(room, bob, 'to-alice')).toEqual({ status: 'relayed', peers: 1 });
      await h.delivered(2);
      expect(h.deliveries).toEqual([
        { to: bob, frame: 'to-bob' },
        { to: alice, frame: 'to-alice' },
      ]);
    });

    it('sends to one member, in order', async () => {
      await setUp();
      const alice = store.newMemberId();
      for (let i = 0; i < 5; i++) await store.send(alice, `frame-${i}`);
      await h.delivered(5);
      expect(h.deliveries.map((d) => d.frame)).toEqual(['frame-0', 'frame-1', 'frame-2', 'frame-3', 'frame-4']);
    });

    it('expires a room nobody joined, returning its members, and leaves a joined room alone', async () => {
      await setUp();
      const [lonely, busy] = [roomId(), roomId()];
      const [alice, bob, carol] = [store.newMemberId(), store.newMemberId(), store.newMemberId()];
      await store.createRoom(lonely, alice);
      await store.createRoom(busy, bob);
      await store.joinRoom(busy, carol);
      expect(await store.expireIfUnjoined(lonely)).toEqual([alice]);
      expect(await store.expireIfUnjoined(lonely)).toBeUndefined();
      expect(await store.joinRoom(lonely, bob)).toEqual({ ok: false, code: 'room-not-found' });
      expect(await store.expireIfUnjoined(busy)).toBeUndefined();
      expect(await store.relay(busy, bob, 'still-here')).toEqual({ status: 'relayed', peers: 1 });
    });

    it('evicts only the member who joined last, only when someone else in the room asks', async () => {
      await setUp();
      const room = roomId();
      const [host, mallory, bruno, stranger] = [store.newMemberId(), store.newMemberId(), store.newMemberId(), store.newMemberId()];
      await store.createRoom(room, host);
      // Nobody joined yet: the creator is nobody's newcomer.
      expect(await store.evictNewest(room, host)).toBeUndefined();
      await store.joinRoom(room, mallory);
      expect(await store.evictNewest(room, mallory)).toBeUndefined();
      expect(await store.evictNewest(room, stranger)).toBeUndefined();
      expect(await store.relay(room, host, 'still-two')).toEqual({ status: 'relayed', peers: 1 });
      expect(await store.evictNewest(room, host)).toBe(mallory);
      expect(await store.evictNewest(room, host)).toBeUndefined();
      expect(await store.relay(room, mallory, 'out')).toEqual({ status: 'not-in-room' });
      expect(await store.relay(room, host, 'alone')).toEqual({ status: 'relayed', peers: 0 });
      expect(await store.leaveRoom(room, mallory)).toEqual({ status: 'not-in-room' });
      // The freed place is a real one: the next guest gets in.
      expect(await store.joinRoom(room, bruno)).toEqual({ ok: true, peers: [host], vacated: [] });
    });

    it('allocates the first free candidate, keeps a room its nameplate, and resolves it', async () => {
      await setUp();
      const [first, second] = [roomId(), roomId()];
      await store.createRoom(first, store.newMemberId());
      await store.createRoom(second, store.newMemberId());
      expect(await store.allocateNameplate(first, [42, 7])).toBe(42);
      expect(await store.allocateNameplate(first, [9])).toBe(42);
      expect(await store.allocateNameplate(second, [42, 7])).toBe(7);
      expect(await store.resolveNameplate(42)).toBe(first);
      expect(await store.resolveNameplate(7)).toBe(second);
      expect(await store.resolveNameplate(8)).toBeUndefined();
      expect(await store.allocateNameplate(roomId(), [5])).toBeUndefined();
    });

    it('falls back to the lowest free nameplate when every candidate is taken', async () => {
      await setUp();
      const rooms = [roomId(), roomId(), roomId()];
      for (const room of rooms) await store.createRoom(room, store.newMemberId());
      expect(await store.allocateNameplate(rooms[0]!, [1])).toBe(1);
      expect(await store.allocateNameplate(rooms[1]!, [3])).toBe(3);
      expect(await store.allocateNameplate(rooms[2]!, [1, 3])).toBe(2);
    });

    it('consumes a nameplate once, and frees it for another room', async () => {
      await setUp();
      const [first, second] = [roomId(), roomId()];
      await store.createRoom(first, store.newMemberId());
      await store.createRoom(second, store.newMemberId());
      await store.allocateNameplate(first, [12]);
      const [a, b] = await Promise.all([store.consumeNameplate(12), store.consumeNameplate(12)]);
      expect([a, b].filter((r) => r === first)).toHaveLength(1);
      expect([a, b].filter((r) => r === undefined)).toHaveLength(1);
      expect(await store.resolveNameplate(12)).toBeUndefined();
      expect(await store.allocateNameplate(second, [12])).toBe(12);
      // The first room may ask for a new one.
      expect(await store.allocateNameplate(first, [12, 13])).toBe(13);
    });

    it('frees a nameplate on release and when the room closes', async () => {
      await setUp();
      const [first, second] = [roomId(), roomId()];
      const alice = store.newMemberId();
      await store.createRoom(first, alice);
      await store.createRoom(second, store.newMemberId());
      await store.allocateNameplate(second, [30]);
      await store.releaseNameplate(second);
      expect(await store.resolveNameplate(30)).toBeUndefined();
      await store.allocateNameplate(first, [31]);
      await store.leaveRoom(first, alice);
      expect(await store.resolveNameplate(31)).toBeUndefined();
      expect(await store.allocateNameplate(second, [31])).toBe(31);
    });

    it('never hands out one nameplate twice to two hundred rooms allocating at once', async () => {
      await setUp();
      const rooms = Array.from({ length: 200 }, roomId);
      await Promise.all(rooms.map((room) => store.createRoom(room, store.newMemberId())));
      // Everyone tries the same few candidates first, the worst case for a read-then-write.
      const nameplates = await Promise.all(rooms.map((room) => store.allocateNameplate(room, [1, 2, 3])));
      expect(nameplates.every((n) => n !== undefined)).toBe(true);
      expect(new Set(nameplates).size).toBe(200);
    });

    it('is ready while it can serve', async () => {
      await setUp();
      expect(await store.ready()).toBe(true);
    });
  });
}

describe.skipIf(skipRedis)('RoomStore in Redis, shared by several instances', () => {
  const prefix = () => `m${randomBytes(4).toString('hex')}:`;
  const pair = async (options: { leaseMs?: number } = {}) => {
    const shared = prefix();
    const [a, b] = [new RedisRoomStore({ url: redis!.url, prefix: shared, ...options }), new RedisRoomStore({ url: redis!.url, prefix: shared, ...options })];
    opened.push(a, b);
    return [await harness(a), await harness(b)] as const;
  };

  it('relays between members on two instances, each frame to its member instance', async () => {
    // A full room with an occupant elsewhere is asked again for one lease (it may be a dead place): keep it short.
    const [a, b] = await pair({ leaseMs: 400 });
    const room = roomId();
    const [alice, bob] = [a.store.newMemberId(), b.store.newMemberId()];
    await a.store.createRoom(room, alice);
    expect(await b.store.joinRoom(room, bob)).toEqual({ ok: true, peers: [alice], vacated: [] });
    expect(await b.store.joinRoom(room, b.store.newMemberId())).toEqual({ ok: false, code: 'room-full' });
    expect(await a.store.joinRoom(room, a.store.newMemberId())).toEqual({ ok: false, code: 'room-full' });
    await a.store.relay(room, alice, 'offer');
    await b.store.relay(room, bob, 'answer');
    await b.store.send(alice, 'peer-left');
    await Promise.all([a.delivered(2), b.delivered(1)]);
    expect(b.deliveries).toEqual([{ to: bob, frame: 'offer' }]);
    expect(a.deliveries).toEqual([
      { to: alice, frame: 'answer' },
      { to: alice, frame: 'peer-left' },
    ]);
  });

  it('gives the place of a member whose instance is gone to the next joiner, saying whose it was', async () => {
    const [a, b] = await pair();
    const room = roomId();
    const [alice, bob] = [a.store.newMemberId(), b.store.newMemberId()];
    await a.store.createRoom(room, alice);
    await b.store.joinRoom(room, bob);
    await a.store.close(); // its lease goes: its members' places are dead
    const aliceAgain = b.store.newMemberId();
    expect(await b.store.joinRoom(room, aliceAgain)).toEqual({ ok: true, peers: [bob], vacated: [alice] });
    expect(await b.store.relay(room, bob, 'to-the-new-alice')).toEqual({ status: 'relayed', peers: 1 });
  });

  it('frees a room whose only member was on an instance that is gone', async () => {
    const [a, b] = await pair();
    const room = roomId();
    await a.store.createRoom(room, a.store.newMemberId());
    await a.store.allocateNameplate(room, [77]);
    await a.store.close();
    expect(await b.store.joinRoom(room, b.store.newMemberId())).toEqual({ ok: false, code: 'room-not-found' });
    expect(await b.store.resolveNameplate(77)).toBeUndefined();
    expect(await b.store.createRoom(room, b.store.newMemberId())).toBe('created');
  });

  it('lets places lapse when their instance stops refreshing its lease', async () => {
    const [a, b] = await pair({ leaseMs: 300 });
    const room = roomId();
    await a.store.createRoom(room, a.store.newMemberId());
    expect(await b.store.createRoom(room, b.store.newMemberId())).toBe('room-exists');
    // The process hangs without a word: no more refreshes, and the lease key stays until it lapses.
    clearInterval((a.store as unknown as { leaseTimer: NodeJS.Timeout }).leaseTimer);
    await expect.poll(() => b.store.createRoom(room, b.store.newMemberId()), { timeout: 5_000, interval: 100 }).toBe('created');
  }, 10_000);

  it('keeps rooms in Redis only for a time (a TTL the instances refresh)', async () => {
    const [a] = await pair();
    const room = roomId();
    await a.store.createRoom(room, a.store.newMemberId());
    const probe = new Redis(redis!.url);
    try {
      const keys = await probe.keys('*');
      const roomKeys = keys.filter((key) => key.includes(room));
      expect(roomKeys).toHaveLength(2);
      for (const key of roomKeys) expect(await probe.pttl(key)).toBeGreaterThan(0);
    } finally {
      probe.disconnect();
    }
  });

  it('never hands out one nameplate twice across two instances allocating at once', async () => {
    const [a, b] = await pair();
    const rooms = Array.from({ length: 200 }, (_, i) => ({ room: roomId(), store: i % 2 === 0 ? a.store : b.store }));
    await Promise.all(rooms.map(({ room, store }) => store.createRoom(room, store.newMemberId())));
    const nameplates = await Promise.all(rooms.map(({ room, store }) => store.allocateNameplate(room, [5, 6, 7])));
    expect(new Set(nameplates).size).toBe(200);
    expect(nameplates.every((n) => typeof n === 'number')).toBe(true);
  });

  it('is not ready once Redis is gone', async () => {
    const own = await startRedis();
    const store = new RedisRoomStore({ url: own.url });
    opened.push(store);
    await store.start();
    expect(await store.ready()).toBe(true);
    await own.stop();
    expect(await store.ready()).toBe(false);
  });
});
