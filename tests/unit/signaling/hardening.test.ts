import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { type ServerMessage, errorMessage } from '../../../signaling/protocol.ts';
import { type SignalingServer, type SignalingServerOptions, createSignalingServer } from '../../../signaling/server.ts';

const ROOM = 'AAAAAAAAAAAAAAAAAAAAAA';
let server: SignalingServer | undefined;
const sockets: WebSocket[] = [];

afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.terminate();
  await server?.close();
  server = undefined;
});

async function start(options: SignalingServerOptions): Promise<SignalingServer> {
  server = await createSignalingServer({ port: 0, host: '127.0.0.1', log: () => {}, ...options });
  return server;
}

/** Opens a socket; resolves with it once open, or with the HTTP status that refused it. */
function open(url: string, headers: Record<string, string> = {}): Promise<WebSocket | number> {
  return new Promise((resolve) => {
    const socket = new WebSocket(url, { headers });
    sockets.push(socket);
    socket.once('open', () => resolve(socket));
    socket.once('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
    socket.once('error', () => undefined);
  });
}

function next(socket: WebSocket): Promise<ServerMessage> {
  return once(socket, 'message').then(([data]) => JSON.parse(String(data)) as ServerMessage);
}

describe('signaling server limits', () => {
  it('refuses origins outside ALLOWED_ORIGINS with 403', async () => {
    const { wsUrl } = await start({ limits: { allowedOrigins: ['https://duet.example'] } });
    expect(await open(wsUrl, { Origin: 'https://evil.example' })).toBe(403);
    expect(await open(wsUrl, { Origin: 'https://duet.example' })).toBeInstanceOf(WebSocket);
  });

  it('caps connections per IP address with 429, and frees the slot on close', async () => {
    const { wsUrl } = await start({ limits: { maxConnectionsPerIp: 2 } });
    const first = await open(wsUrl);
    await open(wsUrl);
    expect(await open(wsUrl)).toBe(429);
    (first as WebSocket).close();
    await once(first as WebSocket, 'close');
    // The server sees the close a moment later; the next attempt gets the slot.
    await expect.poll(async () => {
      const socket = await open(wsUrl);
      if (socket instanceof WebSocket) socket.close();
      return socket instanceof WebSocket;
    }).toBe(true);
  });

  it('answers a flood with rate-limited and keeps the socket usable once it slows down', async () => {
    const { wsUrl } = await start({ limits: { messagesPerSecond: 1, messageBurst: 3 } });
    const socket = (await open(wsUrl)) as WebSocket;
    const replies: ServerMessage[] = [];
    socket.on('message', (data) => replies.push(JSON.parse(String(data)) as ServerMessage));
    for (let i = 0; i < 5; i++) socket.send(JSON.stringify({ type: 'leave' }));
    await expect.poll(() => replies.length).toBe(5);
    expect(replies.slice(0, 3)).toEqual([errorMessage('not-in-room'), errorMessage('not-in-room'), errorMessage('not-in-room')]);
    expect(replies.slice(3)).toEqual([errorMessage('rate-limited'), errorMessage('rate-limited')]);
  });

  it('closes a room nobody joined after the time limit, telling its creator', async () => {
    const started = await start({ limits: { unjoinedRoomTtlMs: 50 } });
    const socket = (await open(started.wsUrl)) as WebSocket;
    socket.send(JSON.stringify({ type: 'create', room: ROOM }));
    expect((await next(socket)).type).toBe('created');
    expect(await next(socket)).toEqual(errorMessage('room-expired'));
    expect(started.roomCount()).toBe(0);
  });

  it('does not expire a room once someone joined it', async () => {
    const started = await start({ limits: { unjoinedRoomTtlMs: 100 } });
    const host = (await open(started.wsUrl)) as WebSocket;
    const guest = (await open(started.wsUrl)) as WebSocket;
    host.send(JSON.stringify({ type: 'create', room: ROOM }));
    await next(host);
    guest.send(JSON.stringify({ type: 'join', room: ROOM }));
    await next(guest);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(started.roomCount()).toBe(1);
  });
});
