/**
 * Fuzzing the real server with real sockets: random and malformed frames, invalid
 * UTF-8, oversized frames, floods and half-open sockets. Throughout, an honest
 * room on the same server keeps relaying, and the server keeps answering.
 */
import { once } from 'node:events';
import { connect } from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { type ServerMessage, parseServerMessage } from '../../signaling/protocol.ts';
import { type SignalingServer, createSignalingServer } from '../../signaling/server.ts';

const ROOM = 'FUZZFUZZFUZZFUZZFUZZFU';
let server: SignalingServer;
let host: WebSocket;
let guest: WebSocket;

function messages(socket: WebSocket): ServerMessage[] {
  const received: ServerMessage[] = [];
  socket.on('message', (data) => {
    const parsed = parseServerMessage(String(data));
    if (!parsed.ok) throw new Error(`the server sent invalid protocol: ${String(data)}`);
    received.push(parsed.value);
  });
  return received;
}

async function openSocket(): Promise<WebSocket> {
  const socket = new WebSocket(server.wsUrl);
  socket.on('error', () => undefined);
  await once(socket, 'open');
  return socket;
}

let hostInbox: ServerMessage[];
let guestInbox: ServerMessage[];

/** The honest pair still relays a signal both ways. */
async function expectHonestRoomWorks(tag: string): Promise<void> {
  const payload = Buffer.from(`check-${tag}`).toString('base64url');
  host.send(JSON.stringify({ type: 'signal', payload }));
  guest.send(JSON.stringify({ type: 'signal', payload }));
  await expect.poll(() => guestInbox.some((m) => m.type === 'signal' && m.payload === payload)).toBe(true);
  await expect.poll(() => hostInbox.some((m) => m.type === 'signal' && m.payload === payload)).toBe(true);
}

beforeAll(async () => {
  server = await createSignalingServer({
    port: 0,
    host: '127.0.0.1',
    log: () => {},
    limits: { maxConnectionsPerIp: 1000, messagesPerSecond: 100_000, messageBurst: 100_000 },
  });
  host = await openSocket();
  guest = await openSocket();
  hostInbox = messages(host);
  guestInbox = messages(guest);
  host.send(JSON.stringify({ type: 'create', room: ROOM }));
  await vi.waitFor(() => expect(hostInbox.length).toBe(1));
  guest.send(JSON.stringify({ type: 'join', room: ROOM }));
  await vi.waitFor(() => expect(guestInbox.length).toBe(1));
});

afterAll(async () => {
  host.terminate();
  guest.terminate();
  await server.close();
});

describe('signaling server under fuzzing', () => {
  it('answers random text frames with valid protocol (usually an error) and never crashes', async () => {
    const attacker = await openSocket();
    const replies = messages(attacker);
    const frame = fc.oneof(
      fc.string({ maxLength: 300 }),
      fc.json(),
      fc.jsonValue().map((value) => JSON.stringify(value)),
      fc.record({ type: fc.constantFrom('create', 'join', 'join-short', 'signal', 'leave', 'hello'), room: fc.string(), payload: fc.string(), nameplate: fc.integer() }, { requiredKeys: ['type'] }).map((value) => JSON.stringify(value)),
    );
    let sent = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(frame, { minLength: 1, maxLength: 20 }), async (frames) => {
        for (const text of frames) attacker.send(text);
        sent += frames.length;
        await expect.poll(() => replies.length, { timeout: 5000 }).toBeGreaterThanOrEqual(sent);
      }),
      { numRuns: 40 },
    );
    await expectHonestRoomWorks('random');
    attacker.terminate();
  });

  it('survives binary and invalid UTF-8 frames, oversized frames and a flood', async () => {
    const attacker = await openSocket();
    const replies = messages(attacker);
    attacker.send(Buffer.from([0xff, 0xfe, 0xfd]), { binary: true });
    await expect.poll(() => replies.length).toBe(1);
    attacker.send(Buffer.alloc(70 * 1024, 0x61), { binary: false });
    await expect.poll(() => replies.length).toBe(2);
    expect(replies.map((r) => r.type === 'error' && r.code)).toEqual(['bad-request', 'payload-too-large']);

    // Invalid UTF-8 in a text frame: ws closes the socket (1007); the server goes on.
    const broken = await openSocket();
    broken.send(Buffer.from([0xc3, 0x28]), { binary: false });
    const [code] = (await once(broken, 'close')) as [number];
    expect(code).toBe(1007);

    for (let i = 0; i < 2000; i++) attacker.send('{"type":"leave"}');
    await expect.poll(() => replies.length, { timeout: 10_000 }).toBe(2002);
    await expectHonestRoomWorks('flood');
    attacker.terminate();
  });

  it('drops half-open sockets and raw TCP junk without disturbing anyone', async () => {
    // A TCP connection that never finishes the WebSocket handshake, and one that sends junk.
    const silent = connect(server.port, '127.0.0.1');
    const junk = connect(server.port, '127.0.0.1');
    junk.on('error', () => undefined);
    silent.on('error', () => undefined);
    await once(junk, 'connect');
    junk.write('GET /ws HTTP/1.1\r\nUpgrade: websocket\r\n\r\n\x00\x01garbage');
    // Sockets that vanish without a close frame.
    const vanishing = await Promise.all(Array.from({ length: 20 }, () => openSocket()));
    for (const socket of vanishing) socket.terminate();
    await expectHonestRoomWorks('half-open');
    silent.destroy();
    junk.destroy();
  });

  it('memory returns close to where it started after 2,000 short-lived rooms', async () => {
    const measure = () => {
      (globalThis as { gc?: () => void }).gc?.();
      return process.memoryUsage().heapUsed;
    };
    const before = measure();
    for (let batch = 0; batch < 20; batch++) {
      const sockets = await Promise.all(Array.from({ length: 100 }, () => openSocket()));
      sockets.forEach((socket, i) => socket.send(JSON.stringify({ type: 'create', room: `R${String(batch * 100 + i).padStart(21, '0')}` })));
      await expect.poll(() => server.roomCount()).toBe(101);
      for (const socket of sockets) socket.close();
      await expect.poll(() => server.roomCount()).toBe(1);
    }
    const after = measure();
    // Rooms and sockets are gone; what remains is the honest room and allocator slack.
    expect(server.roomCount()).toBe(1);
    expect(after - before).toBeLessThan(32 * 1024 * 1024);
    await expectHonestRoomWorks('memory');
  });
});
