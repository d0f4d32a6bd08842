import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { errorMessage } from '../../../signaling/protocol.ts';
import { type LogEntry, type SignalingServer, type SignalingServerOptions, createSignalingServer } from '../../../signaling/server.ts';
import { WsClient } from '../helpers/ws-client.ts';

const ROOM = 'AbCdEfGhIjKlMnOpQrSt_-';
const OTHER_ROOM = 'ZyXwVuTsRqPoNmLkJiHg01';
const OFFER = 'c2VhbGVkLW9mZmVy_Zm9yLXRoZS1ndWVzdA';
const ANSWER = 'c2VhbGVkLWFuc3dlcg-Zm9yLXRoZS1ob3N0';

/** Captures log entries and lets a test wait for one, without polling. */
class LogRecorder {
  readonly entries: LogEntry[] = [];
  private readonly waiting: { matches: (entry: LogEntry) => boolean; resolve: () => void }[] = [];

  readonly sink = (entry: LogEntry): void => {
    this.entries.push(entry);
    for (const waiter of this.waiting.filter((w) => w.matches(entry))) {
      this.waiting.splice(this.waiting.indexOf(waiter), 1);
      waiter.resolve();
    }
  };

  waitFor(expected: LogEntry): Promise<void> {
    const matches = (entry: LogEntry) => Object.entries(expected).every(([key, value]) => entry[key] === value);
    if (this.entries.some(matches)) return Promise.resolve();
    return new Promise((resolve) => this.waiting.push({ matches, resolve }));
  }
}

function roomTag(room: string): string {
  return createHash('sha256').update(room).digest('hex').slice(0, 8);
}

let server: SignalingServer;
let logs: LogRecorder;
const clients: WsClient[] = [];

async function startServer(options: SignalingServerOptions = {}): Promise<SignalingServer> {
  await server?.close();
  server = await createSignalingServer({ port: 0, host: '127.0.0.1', log: logs.sink, ...options });
  return server;
}

async function connect(options?: WebSocket.ClientOptions): Promise<WsClient> {
  const client = await WsClient.connect(server.wsUrl, options);
  clients.push(client);
  return client;
}

/** A host that created ROOM and a guest that joined it, both with their confirmations consumed. */
async function pairInRoom(): Promise<{ host: WsClient; guest: WsClient }> {
  const host = await connect();
  expect(await host.request({ type: 'create', room: ROOM })).toEqual({ type: 'created', room: ROOM });
  const guest = await connect();
  expect(await guest.request({ type: 'join', room: ROOM })).toEqual({ type: 'joined', room: ROOM });
  expect(await host.next()).toEqual({ type: 'peer-joined', via: 'link' });
  return { host, guest };
}

/** Proves a pair is intact: a signal still travels both ways and is the next thing each side receives. */
async function expectRelayWorks(host: WsClient, guest: WsClient): Promise<void> {
  host.send({ type: 'signal', payload: OFFER });
  expect(await guest.next()).toEqual({ type: 'signal', payload: OFFER });
  guest.send({ type: 'signal', payload: ANSWER });
  expect(await host.next()).toEqual({ type: 'signal', payload: ANSWER });
}

beforeEach(async () => {
  logs = new LogRecorder();
  await startServer();
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
  await server.close();
});

describe('signaling server: rooms', () => {
  it('answers create with created and counts the room', async () => {
    const host = await connect();
    expect(await host.request({ type: 'create', room: ROOM })).toEqual({ type: 'created', room: ROOM });
    expect(server.roomCount()).toBe(1);
  });

  it('gives a nameplate only to a room that asks, distinct per room, good for one join', async () => {
    const host = await connect();
    const other = await connect();
    await host.request({ type: 'create', room: ROOM });
    await other.request({ type: 'create', room: OTHER_ROOM });
    const stranger = await connect();
    // No room asked yet: no number leads anywhere (nothing to sweep).
    // (Every client here shares one address: the default allowance is 5 joins by number, then 3 a minute.)
    for (let nameplate = 1; nameplate <= 2; nameplate++) {
      expect(await stranger.request({ type: 'join-short', nameplate })).toEqual(errorMessage('room-not-found'));
    }
    const claimed = await host.request({ type: 'claim-nameplate' });
    const claimedOther = await other.request({ type: 'claim-nameplate' });
    if (claimed.type !== 'nameplate' || claimedOther.type !== 'nameplate') throw new Error('expected nameplate');
    expect(claimed.nameplate).toBeGreaterThanOrEqual(1);
    expect(claimed.nameplate).toBeLessThanOrEqual(9999);
    expect(claimed.nameplate).not.toBe(claimedOther.nameplate);
    // Asked again: the same number.
    expect(await host.request({ type: 'claim-nameplate' })).toEqual(claimed);

    const guest = await connect();
    guest.send({ type: 'join-short', nameplate: claimed.nameplate });
    expect(await host.next()).toEqual({ type: 'peer-joined', via: 'short' });
    expect(await guest.next()).toEqual({ type: 'joined', room: ROOM });
    // Spent by that join: the next one finds nothing, even once the place is free again.
    guest.send({ type: 'leave' });
    expect(await host.next()).toEqual({ type: 'peer-left' });
    expect(await stranger.request({ type: 'join-short', nameplate: claimed.nameplate })).toEqual(errorMessage('room-not-found'));
    // A new number for the same room.
    const again = await host.request({ type: 'claim-nameplate' });
    expect(again.type).toBe('nameplate');
  });

  it('claim-nameplate outside a room is not-in-room', async () => {
    const client = await connect();
    expect(await client.request({ type: 'claim-nameplate' })).toEqual(errorMessage('not-in-room'));
  });

  it('lets the member who was there first evict the newcomer, who hears evicted; never the other way round', async () => {
    const host = await connect();
    await host.request({ type: 'create', room: ROOM });
    const claimed = await host.request({ type: 'claim-nameplate' });
    if (claimed.type !== 'nameplate') throw new Error('expected nameplate');
    const mallory = await connect();
    mallory.send({ type: 'join-short', nameplate: claimed.nameplate });
    expect(await mallory.next()).toEqual({ type: 'joined', room: ROOM });
    expect(await host.next()).toEqual({ type: 'peer-joined', via: 'short' });

    // The newcomer cannot push the host out: nothing happens, and the pair still relays.
    mallory.send({ type: 'evict' });
    await expectRelayWorks(host, mallory);

    host.send({ type: 'evict' });
    expect(await mallory.next()).toEqual(errorMessage('evicted'));
    await logs.waitFor({ event: 'member-evicted', room: roomTag(ROOM) });
    // The evicted one is out: its signals are refused, and the room has a free place for the real guest.
    expect(await mallory.request({ type: 'signal', payload: OFFER })).toEqual(errorMessage('not-in-room'));
    const bruno = await connect();
    expect(await bruno.request({ type: 'join', room: ROOM })).toEqual({ type: 'joined', room: ROOM });
    expect(await host.next()).toEqual({ type: 'peer-joined', via: 'link' });
    await expectRelayWorks(host, bruno);
    // The one who evicted heard nothing of it but the new guest.
    expect(host.unread).toEqual([]);
  });

  it('limits joins by short code per address, across sockets, with rate-limited', async () => {
    await startServer({ limits: { shortCodeJoinsPerMinute: 1, shortCodeJoinBurst: 3 } });
    const first = await connect();
    const second = await connect();
    for (const nameplate of [11, 12]) expect(await first.request({ type: 'join-short', nameplate })).toEqual(errorMessage('room-not-found'));
    expect(await second.request({ type: 'join-short', nameplate: 13 })).toEqual(errorMessage('room-not-found'));
    // The fourth, from another socket of the same address, is refused before any lookup.
    expect(await second.request({ type: 'join-short', nameplate: 14 })).toEqual(errorMessage('rate-limited'));
    await logs.waitFor({ event: 'short-code-rate-limited' });
    // Other requests are not counted against it.
    expect(await second.request({ type: 'create', room: ROOM })).toEqual({ type: 'created', room: ROOM });
  });

  it('tells the host peer-joined and the guest joined', async () => {
    const host = await connect();
    await host.request({ type: 'create', room: ROOM });
    const guest = await connect();
    guest.send({ type: 'join', room: ROOM });
    expect(await host.next()).toEqual({ type: 'peer-joined', via: 'link' });
    expect(await guest.next()).toEqual({ type: 'joined', room: ROOM });
    expect(server.roomCount()).toBe(1);
  });

  it('relays signals verbatim in both directions', async () => {
    const { host, guest } = await pairInRoom();
    await expectRelayWorks(host, guest);
    const large = 'A'.repeat(40 * 1024);
    guest.send({ type: 'signal', payload: large });
    expect(await host.next()).toEqual({ type: 'signal', payload: large });
  });

  it('refuses a third client with room-full and leaves the pair intact', async () => {
    const { host, guest } = await pairInRoom();
    const third = await connect();
    expect(await third.request({ type: 'join', room: ROOM })).toEqual(errorMessage('room-full'));
    await expectRelayWorks(host, guest);
    expect(await third.request({ type: 'signal', payload: OFFER })).toEqual(errorMessage('not-in-room'));
  });

  it('answers room-not-found for an unknown room', async () => {
    const guest = await connect();
    expect(await guest.request({ type: 'join', room: OTHER_ROOM })).toEqual(errorMessage('room-not-found'));
    expect(server.roomCount()).toBe(0);
  });

  it('answers room-exists when creating a room that exists', async () => {
    const host = await connect();
    await host.request({ type: 'create', room: ROOM });
    const other = await connect();
    expect(await other.request({ type: 'create', room: ROOM })).toEqual(errorMessage('room-exists'));
    expect(server.roomCount()).toBe(1);
  });

  it('answers already-in-room to a member that creates or joins again', async () => {
    const host = await connect();
    await host.request({ type: 'create', room: ROOM });
    expect(await host.request({ type: 'create', room: OTHER_ROOM })).toEqual(errorMessage('already-in-room'));
    expect(await host.request({ type: 'join', room: ROOM })).toEqual(errorMessage('already-in-room'));
    expect(server.roomCount()).toBe(1);
  });

  it('answers not-in-room to signal or leave before joining', async () => {
    const client = await connect();
    expect(await client.request({ type: 'signal', payload: OFFER })).toEqual(errorMessage('not-in-room'));
    expect(await client.request({ type: 'leave' })).toEqual(errorMessage('not-in-room'));
  });

  it('answers no-peer to a signal from a member alone in its room', async () => {
    const host = await connect();
    await host.request({ type: 'create', room: ROOM });
    expect(await host.request({ type: 'signal', payload: OFFER })).toEqual(errorMessage('no-peer'));
  });

  it('tells the remaining member peer-left when the other socket closes', async () => {
    const { host, guest } = await pairInRoom();
    await guest.close();
    expect(await host.next()).toEqual({ type: 'peer-left' });
    expect(server.roomCount()).toBe(1);
    expect(await host.request({ type: 'signal', payload: OFFER })).toEqual(errorMessage('no-peer'));
  });

  it('lets a guest leave and join again', async () => {
    const { host, guest } = await pairInRoom();
    guest.send({ type: 'leave' });
    expect(await host.next()).toEqual({ type: 'peer-left' });
    expect(await guest.request({ type: 'join', room: ROOM })).toEqual({ type: 'joined', room: ROOM });
    expect(await host.next()).toEqual({ type: 'peer-joined', via: 'link' });
    await expectRelayWorks(host, guest);
  });

  it('keeps a room whose host left open for a new member', async () => {
    const { host, guest } = await pairInRoom();
    host.send({ type: 'leave' });
    expect(await guest.next()).toEqual({ type: 'peer-left' });
    const newcomer = await connect();
    expect(await newcomer.request({ type: 'join', room: ROOM })).toEqual({ type: 'joined', room: ROOM });
    expect(await guest.next()).toEqual({ type: 'peer-joined', via: 'link' });
    await expectRelayWorks(guest, newcomer);
    expect(await host.request({ type: 'create', room: OTHER_ROOM })).toEqual({ type: 'created', room: OTHER_ROOM });
  });

  it('removes a room once its last member leaves or disconnects', async () => {
    const { host, guest } = await pairInRoom();
    guest.send({ type: 'leave' });
    expect(await host.next()).toEqual({ type: 'peer-left' });
    host.send({ type: 'leave' });
    // Frames from one socket are handled in order, so this answer comes after the leave.
    expect(await host.request({ type: 'leave' })).toEqual(errorMessage('not-in-room'));
    expect(server.roomCount()).toBe(0);

    expect(await host.request({ type: 'create', room: ROOM })).toEqual({ type: 'created', room: ROOM });
    expect(server.roomCount()).toBe(1);
    await host.close();
    await logs.waitFor({ event: 'room-closed' });
    expect(server.roomCount()).toBe(0);
  });

  it('closes every socket with 1001 on close()', async () => {
    const { host, guest } = await pairInRoom();
    await server.close();
    expect((await host.closed).code).toBe(1001);
    expect((await guest.closed).code).toBe(1001);
  });
});

describe('signaling server: invalid frames', () => {
  it.each([
    ['malformed JSON', '{"type":"signal",'],
    ['an unknown type', '{"type":"hello"}'],
    ['an extra field', `{"type":"signal","payload":"${OFFER}","to":"guest"}`],
    ['a bad room id', '{"type":"join","room":"not-a-room-id"}'],
    ['an array', '[]'],
  ])('answers %s with bad-request and changes nothing', async (_label, frame) => {
    const { host, guest } = await pairInRoom();
    host.sendRaw(frame);
    expect(await host.next()).toEqual(errorMessage('bad-request'));
    await expectRelayWorks(host, guest);
    expect(server.roomCount()).toBe(1);
  });

  it('answers a bad create with bad-request and creates nothing', async () => {
    const client = await connect();
    client.sendRaw('{"type":"create","room":"short"}');
    expect(await client.next()).toEqual(errorMessage('bad-request'));
    expect(server.roomCount()).toBe(0);
    expect(await client.request({ type: 'create', room: ROOM })).toEqual({ type: 'created', room: ROOM });
  });

  it('answers a binary frame with bad-request', async () => {
    const { host, guest } = await pairInRoom();
    host.sendRaw(Buffer.from(JSON.stringify({ type: 'signal', payload: OFFER })), { binary: true });
    expect(await host.next()).toEqual(errorMessage('bad-request'));
    await expectRelayWorks(host, guest);
  });

  it('answers a 70 KiB frame with payload-too-large and keeps the socket usable', async () => {
    const { host, guest } = await pairInRoom();
    host.send({ type: 'signal', payload: 'A'.repeat(70 * 1024) });
    expect(await host.next()).toEqual(errorMessage('payload-too-large'));
    expect(host.socket.readyState).toBe(WebSocket.OPEN);
    await expectRelayWorks(host, guest);
  });

  it('counts the frame limit in bytes, not characters', async () => {
    const { host, guest } = await pairInRoom();
    // 30 000 characters, but 90 000 bytes of UTF-8.
    host.sendRaw(`{"type":"signal","payload":"${'€'.repeat(30_000)}"}`);
    expect(await host.next()).toEqual(errorMessage('payload-too-large'));
    await expectRelayWorks(host, guest);
  });

  it('closes a socket that sends 1 MiB with 1009 and keeps serving', async () => {
    const { host, guest } = await pairInRoom();
    guest.sendRaw('x'.repeat(1024 * 1024));
    expect((await guest.closed).code).toBe(1009);
    expect(await host.next()).toEqual({ type: 'peer-left' });
    const other = await connect();
    expect(await other.request({ type: 'create', room: OTHER_ROOM })).toEqual({ type: 'created', room: OTHER_ROOM });
    expect(server.roomCount()).toBe(2);
  });

  it('logs each rejection by code only', async () => {
    const client = await connect();
    expect(await client.request({ type: 'join', room: ROOM })).toEqual(errorMessage('room-not-found'));
    expect(logs.entries).toContainEqual({ event: 'rejected', code: 'room-not-found' });
  });
});

describe('signaling server: logging', () => {
  it('logs rooms by a hash tag and never logs room ids or payloads', async () => {
    const { host, guest } = await pairInRoom();
    await expectRelayWorks(host, guest);
    host.sendRaw(`{"type":"create","room":"${OTHER_ROOM}","secret":"${OFFER}"}`);
    expect(await host.next()).toEqual(errorMessage('bad-request'));
    await guest.close();
    await host.close();
    await logs.waitFor({ event: 'room-closed' });

    const tag = roomTag(ROOM);
    expect(logs.entries).toContainEqual({ event: 'listening', port: server.port });
    expect(logs.entries).toContainEqual({ event: 'room-created', room: tag });
    expect(logs.entries).toContainEqual({ event: 'room-joined', room: tag });
    expect(logs.entries).toContainEqual({ event: 'room-closed', room: tag });
    const text = JSON.stringify(logs.entries);
    for (const secret of [ROOM, OTHER_ROOM, OFFER, ANSWER]) expect(text).not.toContain(secret);
  });
});

describe('signaling server: heartbeat', () => {
  it('terminates a client that stops answering pings and tells its peer', async () => {
    // Short enough to keep the test fast, long enough for the responsive client's pong to beat the next tick.
    await startServer({ heartbeatMs: 100 });
    const responsive = await connect();
    await responsive.request({ type: 'create', room: ROOM });
    const silent = await connect({ autoPong: false });
    await silent.request({ type: 'join', room: ROOM });
    expect(await responsive.next()).toEqual({ type: 'peer-joined', via: 'link' });

    // terminate() drops the TCP connection without a close frame: 1006 on the client.
    expect((await silent.closed).code).toBe(1006);
    expect(await responsive.next()).toEqual({ type: 'peer-left' });
    expect(responsive.socket.readyState).toBe(WebSocket.OPEN);
    expect(logs.entries).toContainEqual({ event: 'heartbeat-timeout' });
  });
});

describe('signaling server: heartbeat with many sockets', () => {
  it('pings in slices spread over the interval, not all at once, and reaches every socket', async () => {
    // 300 sockets: a first slice of 250 at once, the other 50 a quarter-interval (250 ms) later.
    await startServer({ heartbeatMs: 1000, limits: { maxConnectionsPerIp: 1000 } });
    const many = await Promise.all(Array.from({ length: 300 }, () => connect()));
    const pinged = new Set<WsClient>();
    let firstSliceSeen: (count: number) => void = () => {};
    const pingedWhenFirstSliceArrived = new Promise<number>((resolve) => (firstSliceSeen = resolve));
    const all = new Promise<void>((resolve) => {
      for (const client of many) {
        client.socket.once('ping', () => {
          pinged.add(client);
          // Once the pings already on the wire are read, how many sockets have been pinged?
          if (pinged.size === 250) setImmediate(() => firstSliceSeen(pinged.size));
          if (pinged.size === many.length) resolve();
        });
      }
    });
    expect(await pingedWhenFirstSliceArrived).toBe(250);
    await all;
    // Everyone answered (ws answers pings itself), so nobody was cut off.
    expect(many.every((client) => client.socket.readyState === WebSocket.OPEN)).toBe(true);
    expect(logs.entries).not.toContainEqual({ event: 'heartbeat-timeout' });
  });
});

describe('signaling server: HTTP', () => {
  /** A GET with the path sent exactly as given (fetch would normalise dot segments). */
  function rawGet(requestPath: string): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      const request = httpRequest(`${server.url}/`, { path: requestPath }, (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (body += chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
      });
      request.on('error', reject);
      request.end();
    });
  }

  function expectSecurityHeaders(response: Response): void {
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
    expect(response.headers.get('x-frame-options')).toBe('DENY');
    expect(response.headers.get('cross-origin-opener-policy')).toBe('same-origin');
  }

  it('answers /healthz with 200 and {"status":"ok"}', async () => {
    const response = await fetch(`${server.url}/healthz`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await response.json()).toEqual({ status: 'ok' });
    expectSecurityHeaders(response);
  });

  it('answers other methods with 405', async () => {
    const response = await fetch(`${server.url}/healthz`, { method: 'POST', body: '{}' });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('GET, HEAD');
    expectSecurityHeaders(response);
  });

  it('serves no files without a static directory', async () => {
    const response = await fetch(`${server.url}/`);
    expect(response.status).toBe(404);
    expectSecurityHeaders(response);
  });

  it('refuses a WebSocket upgrade on a path other than /ws', async () => {
    const socket = new WebSocket(`${server.url.replace('http', 'ws')}/socket`);
    const [error] = (await once(socket, 'error')) as [Error];
    expect(error.message).toBe('Unexpected server response: 404');
    expect(server.roomCount()).toBe(0);
  });

  describe('static files', () => {
    const INDEX = '<!doctype html><title>Duet</title>';
    const SCRIPT = 'console.log("duet");';
    const OUTSIDE_SECRET = '{"name":"outside-the-static-dir"}';
    let root: string;

    beforeEach(async () => {
      root = await mkdtemp(path.join(tmpdir(), 'duet-static-'));
      const site = path.join(root, 'site');
      await mkdir(path.join(site, 'assets'), { recursive: true });
      await writeFile(path.join(site, 'index.html'), INDEX);
      await writeFile(path.join(site, 'assets', 'app-3f9a1c.js'), SCRIPT);
      await writeFile(path.join(site, 'manifest.webmanifest'), '{}');
      await writeFile(path.join(root, 'package.json'), OUTSIDE_SECRET);
      await startServer({ staticDir: site });
    });

    afterEach(async () => {
      await rm(root, { recursive: true, force: true });
    });

    it('serves index.html at / without caching', async () => {
      const response = await fetch(`${server.url}/`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(response.headers.get('cache-control')).toBe('no-cache');
      expectSecurityHeaders(response);
      expect(await response.text()).toBe(INDEX);
    });

    it('serves hashed assets as immutable with their content type', async () => {
      const response = await fetch(`${server.url}/assets/app-3f9a1c.js?v=1`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
      expect(response.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
      expect(await response.text()).toBe(SCRIPT);
    });

    it('serves other files with their content type', async () => {
      const response = await fetch(`${server.url}/manifest.webmanifest`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('application/manifest+json; charset=utf-8');
      expect(await response.text()).toBe('{}');
    });

    it('answers HEAD with headers and no body', async () => {
      const response = await fetch(`${server.url}/assets/app-3f9a1c.js`, { method: 'HEAD' });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-length')).toBe(String(Buffer.byteLength(SCRIPT)));
      expect(await response.text()).toBe('');
    });

    it('falls back to index.html for paths without an extension', async () => {
      for (const route of ['/room', '/join/abc', '/assets']) {
        const response = await fetch(`${server.url}${route}`);
        expect(response.status).toBe(200);
        expect(await response.text()).toBe(INDEX);
      }
    });

    it('answers 404 for missing files with an extension', async () => {
      const response = await fetch(`${server.url}/assets/missing.js`);
      expect(response.status).toBe(404);
      expectSecurityHeaders(response);
    });

    it.each([
      ['/../package.json', 400],
      ['/%2e%2e/package.json', 400],
      ['/assets/..%2f..%2fpackage.json', 400],
      // On POSIX a backslash is an ordinary file name character: this names a missing file inside the directory.
      ['/..%5c..%5cpackage.json', 404],
    ])('does not serve %s from outside the directory (%i)', async (requestPath, status) => {
      const response = await rawGet(requestPath);
      expect(response.status).toBe(status);
      expect(response.body).not.toContain(OUTSIDE_SECRET);
    });

    it.each(['/%00index.html', '/index.html%00.js', '/%E0%A4%A', '/%zz'])('answers %s with 400', async (requestPath) => {
      expect((await rawGet(requestPath)).status).toBe(400);
    });
  });
});
