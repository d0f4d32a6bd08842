/**
 * The same conversation with the server, move for move, against rooms in memory, rooms
 * in Redis on one instance, and rooms in Redis on two instances (the host on one, every
 * other client on the other): every client must hear exactly the same thing from all
 * three. Today's behaviour is the in-memory one; Redis must not change it.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerMessage } from '../../../signaling/protocol.ts';
import { type SignalingServer, type SignalingServerOptions, createSignalingServer } from '../../../signaling/server.ts';
import { type RedisServer, skipWithoutRedis, startRedis } from '../helpers/redis-server.ts';
import { WsClient } from '../helpers/ws-client.ts';

const skipRedis = skipWithoutRedis();
const R1 = 'AbCdEfGhIjKlMnOpQrSt_-';
const R2 = 'ZyXwVuTsRqPoNmLkJiHg01';
const X = 'c2lnbmFsLXg';
const Y = 'c2lnbmFsLXk';

/** A move: who sends what, and how many messages each client then receives. */
type Move = { from: number; send: unknown | 'close'; expect: Record<number, number> };

const NAMEPLATE = Symbol('nameplate');
const MOVES: Move[] = [
  { from: 0, send: { type: 'create', room: R1 }, expect: { 0: 1 } },
  { from: 0, send: { type: 'claim-nameplate' }, expect: { 0: 1 } },
  { from: 0, send: { type: 'create', room: R2 }, expect: { 0: 1 } },
  { from: 1, send: { type: 'create', room: R1 }, expect: { 1: 1 } },
  { from: 1, send: { type: 'join', room: R2 }, expect: { 1: 1 } },
  { from: 1, send: { type: 'join', room: R1 }, expect: { 0: 1, 1: 1 } },
  { from: 2, send: { type: 'join', room: R1 }, expect: { 2: 1 } },
  { from: 2, send: { type: 'join-short', nameplate: NAMEPLATE }, expect: { 2: 1 } },
  { from: 2, send: { type: 'signal', payload: X }, expect: { 2: 1 } },
  { from: 2, send: { type: 'claim-nameplate' }, expect: { 2: 1 } },
  { from: 0, send: { type: 'signal', payload: X }, expect: { 1: 1 } },
  { from: 1, send: { type: 'signal', payload: Y }, expect: { 0: 1 } },
  { from: 1, send: { type: 'evict' }, expect: {} },
  { from: 2, send: { type: 'leave' }, expect: { 2: 1 } },
  { from: 3, send: 'not json', expect: { 3: 1 } },
  { from: 3, send: { type: 'create', room: 'short' }, expect: { 3: 1 } },
  { from: 3, send: { type: 'refresh-ice' }, expect: { 3: 1 } },
  { from: 3, send: { type: 'evict' }, expect: { 3: 1 } },
  { from: 0, send: { type: 'evict' }, expect: { 1: 1 } },
  { from: 1, send: { type: 'signal', payload: X }, expect: { 1: 1 } },
  { from: 0, send: { type: 'signal', payload: X }, expect: { 0: 1 } },
  { from: 0, send: { type: 'claim-nameplate' }, expect: { 0: 1 } },
  { from: 1, send: { type: 'join-short', nameplate: NAMEPLATE }, expect: { 0: 1, 1: 1 } },
  { from: 0, send: { type: 'signal', payload: Y }, expect: { 1: 1 } },
  { from: 1, send: 'close', expect: { 0: 1 } },
  { from: 0, send: { type: 'leave' }, expect: {} },
  { from: 2, send: { type: 'join', room: R1 }, expect: { 2: 1 } },
  { from: 2, send: { type: 'join-short', nameplate: NAMEPLATE }, expect: { 2: 1 } },
  { from: 2, send: { type: 'create', room: R1 }, expect: { 2: 1 } },
];

/** Plays the moves; returns what each client heard, the nameplate replaced by a marker. */
async function play(urls: string[]): Promise<string[][]> {
  const clients = await Promise.all(urls.map((url) => WsClient.connect(url)));
  const heard: string[][] = clients.map(() => []);
  let nameplate: number | undefined;
  try {
    for (const move of MOVES) {
      const client = clients[move.from]!;
      if (move.send === 'close') await client.close();
      else if (typeof move.send === 'string') client.socket.send(move.send);
      else {
        const message = move.send as Record<string, unknown>;
        client.send(message.nameplate === NAMEPLATE ? { ...message, nameplate } : message);
      }
      for (const [index, count] of Object.entries(move.expect)) {
        for (let i = 0; i < count; i++) {
          const message: ServerMessage = await clients[Number(index)]!.next();
          // The latest number the host was given (the first is spent by a join).
          if (message.type === 'nameplate') nameplate = message.nameplate;
          heard[Number(index)]!.push(JSON.stringify(message).replace(/"nameplate":\d+/, '"nameplate":"N"'));
        }
      }
    }
    // Nothing more for anyone: a last request per client answers first if nothing else is queued.
    for (const [index, client] of clients.entries()) {
      if (client.socket.readyState !== client.socket.OPEN) continue;
      expect(await client.request({ type: 'signal', payload: X }), `client ${index} heard more`).toMatchObject({ type: 'error' });
    }
    return heard;
  } finally {
    await Promise.all(clients.map((client) => client.close()));
  }
}

describe.skipIf(skipRedis)('rooms in memory and in Redis behave alike', () => {
  let redis: RedisServer;
  const servers: SignalingServer[] = [];
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await Promise.all(servers.map((server) => server.close()));
    await redis?.stop();
  });
  const start = async (store: SignalingServerOptions['store']) => {
    const server = await createSignalingServer({ port: 0, host: '127.0.0.1', log: () => {}, store });
    servers.push(server);
    return server;
  };

  it('hears the same, move for move, from one instance in memory, one on Redis, and two on Redis', async () => {
    const memory = await start({ kind: 'memory' });
    const inMemory = await play([memory.wsUrl, memory.wsUrl, memory.wsUrl, memory.wsUrl]);

    const one = await start({ kind: 'redis', url: redis.url, prefix: `p${randomBytes(3).toString('hex')}:` });
    expect(await play([one.wsUrl, one.wsUrl, one.wsUrl, one.wsUrl])).toEqual(inMemory);

    const shared = { kind: 'redis' as const, url: redis.url, prefix: `p${randomBytes(3).toString('hex')}:`, leaseMs: 600 };
    const [a, b] = [await start(shared), await start(shared)];
    expect(await play([a.wsUrl, b.wsUrl, b.wsUrl, b.wsUrl])).toEqual(inMemory);

    // And the in-memory transcript is today's protocol.
    expect(inMemory[0]).toEqual([
      '{"type":"created","room":"AbCdEfGhIjKlMnOpQrSt_-"}',
      '{"type":"nameplate","nameplate":"N"}',
      '{"type":"error","code":"already-in-room","message":"This connection is already in a room."}',
      '{"type":"peer-joined","via":"link"}',
      `{"type":"signal","payload":"${Y}"}`,
      '{"type":"error","code":"no-peer","message":"Your peer is not connected to the room."}',
      '{"type":"nameplate","nameplate":"N"}',
      '{"type":"peer-joined","via":"short"}',
      '{"type":"peer-left"}',
    ]);
    expect(inMemory[1]).toContain('{"type":"error","code":"evicted","message":"The other person removed you from the room: you could not prove you had the invite."}');
  }, 30_000);
});
