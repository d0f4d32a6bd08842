/**
 * ICE servers at run time: configuration from the environment, coturn's TURN REST
 * credentials, the per-address limit, what the server sends to whom, and a real coturn
 * (deploy/turnserver.conf) that grants a relay for the server's credentials and refuses
 * wrong or expired ones (a TURN Allocate driven by node-datachannel).
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_TURN_TTL_SECONDS, IceServerIssuer, iceConfigFromEnv, turnRestCredential } from '../../../signaling/ice-servers.ts';
import { type IceServer, errorMessage, parseServerMessage } from '../../../signaling/protocol.ts';
import { type LogEntry, type SignalingServer, type SignalingServerOptions, createSignalingServer } from '../../../signaling/server.ts';
import { type Coturn, skipWithoutCoturn, startCoturn } from '../helpers/coturn.ts';
import { WsClient } from '../helpers/ws-client.ts';

const execFileAsync = promisify(execFile);
const RELAY_PROBE = fileURLToPath(new URL('../helpers/relay-probe.ts', import.meta.url));
const ROOM = 'AbCdEfGhIjKlMnOpQrSt_-';
const SECRET = 'a-test-secret-never-in-a-log';

describe('iceConfigFromEnv', () => {
  it('configures nothing by default', () => {
    expect(iceConfigFromEnv({})).toEqual({ kind: 'none' });
  });

  it('reads STUN_URLS, TURN_URLS, TURN_SECRET and TURN_TTL', () => {
    expect(
      iceConfigFromEnv({ STUN_URLS: 'stun:stun.example.org:3478', TURN_URLS: 'turn:t.example.org:3478, turns:t.example.org:5349', TURN_SECRET: 's', TURN_TTL: '600' }),
    ).toEqual({ kind: 'turn-rest', stunUrls: ['stun:stun.example.org:3478'], turnUrls: ['turn:t.example.org:3478', 'turns:t.example.org:5349'], secret: 's', ttlSeconds: 600 });
    expect(iceConfigFromEnv({ TURN_URLS: 'turn:t.example.org', TURN_SECRET: 's' })).toMatchObject({ ttlSeconds: DEFAULT_TURN_TTL_SECONDS });
  });

  it('reads a fixed ICE_SERVERS list', () => {
    const servers = [{ urls: ['turn:t.example.org'], username: 'u', credential: 'c' }];
    expect(iceConfigFromEnv({ ICE_SERVERS: JSON.stringify(servers) })).toEqual({ kind: 'fixed', iceServers: servers });
    expect(iceConfigFromEnv({ ICE_SERVERS: '[]' })).toEqual({ kind: 'none' });
  });

  it.each([
    [{ ICE_SERVERS: 'not json' }, /ICE_SERVERS/],
    [{ ICE_SERVERS: '[{"urls":"http://x"}]' }, /ICE_SERVERS/],
    [{ ICE_SERVERS: '[]', TURN_URLS: 'turn:x' }, /not both/],
    [{ TURN_URLS: 'turn:x' }, /TURN_SECRET/],
    [{ TURN_SECRET: 's' }, /TURN_URLS/],
    [{ TURN_URLS: 'stun:x', TURN_SECRET: 's' }, /turn:/],
    [{ STUN_URLS: 'turn:x' }, /stun:/],
    [{ TURN_URLS: 'turn:x', TURN_SECRET: 's', TURN_TTL: '-5' }, /TURN_TTL/],
  ])('refuses %j', (env, message) => {
    expect(() => iceConfigFromEnv(env)).toThrow(message);
  });
});

describe('TURN REST credentials', () => {
  it('are base64(HMAC-SHA1(secret, username)), as coturn computes them', () => {
    // openssl dgst -sha1 -hmac my_secret -binary <<< -n "1433895918506:my_username" | base64
    expect(turnRestCredential('my_secret', '1433895918506:my_username')).toBe('gKwSWE2uKuZnhCArog06lwc23/A=');
  });

  it('name their expiry in the username, and are rate-limited per address', () => {
    let now = 1_700_000_000_500;
    const issuer = new IceServerIssuer(
      { kind: 'turn-rest', stunUrls: ['stun:s.example.org'], turnUrls: ['turn:t.example.org'], secret: SECRET, ttlSeconds: 600 },
      { now: () => now, randomId: () => 'abcd', burst: 2, perMinute: 1 },
    );
    const first = issuer.issue('192.0.2.1');
    expect(first).toEqual({
      status: 'issued',
      turnCredential: true,
      expiresAt: (1_700_000_000 + 600) * 1000,
      iceServers: [
        { urls: ['stun:s.example.org'] },
        { urls: ['turn:t.example.org'], username: '1700000600:abcd', credential: turnRestCredential(SECRET, '1700000600:abcd') },
      ],
    });
    expect(issuer.issue('192.0.2.1').status).toBe('issued');
    expect(issuer.issue('192.0.2.1').status).toBe('rate-limited');
    expect(issuer.issue('192.0.2.2').status).toBe('issued');
    now += 60_000;
    expect(issuer.issue('192.0.2.1').status).toBe('issued');
  });
});

describe('the server hands ICE servers to members only', () => {
  let server: SignalingServer | undefined;
  const clients: WsClient[] = [];
  let logs: LogEntry[] = [];
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    await server?.close();
    server = undefined;
    logs = [];
  });
  const start = async (options: Partial<SignalingServerOptions>) => {
    server = await createSignalingServer({ port: 0, host: '127.0.0.1', log: (entry) => logs.push(entry), ...options });
    return server;
  };
  const connect = async () => {
    const client = await WsClient.connect(server!.wsUrl);
    clients.push(client);
    return client;
  };
  const turnRest = { kind: 'turn-rest' as const, stunUrls: [], turnUrls: ['turn:127.0.0.1:3478'], secret: SECRET, ttlSeconds: 600 };

  it('sends ice-servers right after created and joined, and again on refresh-ice from a member', async () => {
    await start({ ice: turnRest });
    const host = await connect();
    const stranger = await connect();
    expect(await stranger.request({ type: 'refresh-ice' })).toEqual(errorMessage('not-in-room'));
    expect(await host.request({ type: 'create', room: ROOM })).toMatchObject({ type: 'created' });
    const forHost = await host.next();
    expect(forHost).toMatchObject({ type: 'ice-servers', expiresAt: expect.any(Number) });
    const guest = await connect();
    expect(await guest.request({ type: 'join', room: ROOM })).toEqual({ type: 'joined', room: ROOM });
    const forGuest = await guest.next();
    expect(forGuest.type).toBe('ice-servers');
    expect(await host.next()).toEqual({ type: 'peer-joined', via: 'link' });
    const again = await host.request({ type: 'refresh-ice' });
    expect(again.type).toBe('ice-servers');

    for (const message of [forHost, forGuest, again]) {
      if (message.type !== 'ice-servers') throw new Error('not ice-servers');
      const [turn] = message.iceServers;
      expect(turn?.urls).toEqual(['turn:127.0.0.1:3478']);
      expect(turn?.credential).toBe(turnRestCredential(SECRET, turn!.username!));
      expect(Number(turn!.username!.split(':')[0]) * 1000).toBe(message.expiresAt);
    }
    // Neither the secret nor any credential (nor a username) reaches the log.
    const logged = JSON.stringify(logs);
    expect(logged).not.toContain(SECRET);
    for (const message of [forHost, forGuest, again]) {
      if (message.type !== 'ice-servers') continue;
      expect(logged).not.toContain(message.iceServers[0]!.credential!);
      expect(logged).not.toContain(message.iceServers[0]!.username!);
    }
  });

  it('refuses refresh-ice beyond the per-address limit', async () => {
    await start({ ice: turnRest, iceRate: { perMinute: 1, burst: 2 } });
    const host = await connect();
    await host.request({ type: 'create', room: ROOM });
    expect((await host.next()).type).toBe('ice-servers');
    expect((await host.request({ type: 'refresh-ice' })).type).toBe('ice-servers');
    expect(await host.request({ type: 'refresh-ice' })).toEqual(errorMessage('rate-limited'));
  });

  it('sends none when none are configured (the client keeps its built-in list)', async () => {
    await start({});
    const host = await connect();
    expect(await host.request({ type: 'create', room: ROOM })).toMatchObject({ type: 'created' });
    expect(await host.request({ type: 'refresh-ice' })).toEqual(errorMessage('bad-request'));
  });

  it('tells anyone who asks (server-info) whether it offers a relay, without credentials and before any room', async () => {
    await start({ ice: turnRest });
    expect(await (await connect()).request({ type: 'server-info' })).toEqual({ type: 'server-info', relay: 'offered' });
    await server!.close();
    await start({ ice: { kind: 'fixed', iceServers: [{ urls: 'stun:stun.example.org' }] } });
    expect(await (await connect()).request({ type: 'server-info' })).toEqual({ type: 'server-info', relay: 'none' });
    await server!.close();
    await start({ ice: { kind: 'fixed', iceServers: [{ urls: ['stun:s.example.org', 'turns:t.example.org:5349'], username: 'u', credential: 'c' }] } });
    expect(await (await connect()).request({ type: 'server-info' })).toEqual({ type: 'server-info', relay: 'offered' });
    await server!.close();
    await start({});
    const client = await connect();
    expect(await client.request({ type: 'server-info' })).toEqual({ type: 'server-info', relay: 'none' });
    // Nothing else was sent: no ICE servers to a client outside a room.
    expect(client.unread).toEqual([]);
  });

  it('counts the TURN credentials it issued in /metrics', async () => {
    await start({ ice: turnRest });
    const host = await connect();
    await host.request({ type: 'create', room: ROOM });
    await host.next();
    const text = await (await fetch(`${server!.url}/metrics`)).text();
    expect(text).toMatch(/^duet_turn_credentials_issued_total 1$/m);
  });
});

// ---------------------------------------------------------------------------
// A real coturn

const skipCoturn = skipWithoutCoturn();

/** The relay candidates a relay-only peer connection gathers with this TURN server (a TURN Allocate each, in a child process). */
async function relayCandidates(server: IceServer): Promise<string[]> {
  const url = (Array.isArray(server.urls) ? server.urls[0] : server.urls) ?? '';
  const match = /^turn:([^:?]+):(\d+)/.exec(url);
  if (!match) throw new Error(`not a turn: URL with a port: ${url}`);
  const turn = { hostname: match[1]!, port: Number(match[2]), username: server.username, password: server.credential };
  const { stdout } = await execFileAsync(process.execPath, ['--import', 'tsx', RELAY_PROBE, JSON.stringify(turn)], { timeout: 20_000 });
  return JSON.parse(stdout) as string[];
}

describe.skipIf(skipCoturn)('a real coturn with use-auth-secret (deploy/turnserver.conf)', () => {
  let coturn: Coturn;
  let server: SignalingServer;
  beforeAll(async () => {
    coturn = await startCoturn(SECRET);
    server = await createSignalingServer({
      port: 0,
      host: '127.0.0.1',
      log: () => {},
      ice: { kind: 'turn-rest', stunUrls: [], turnUrls: [`turn:127.0.0.1:${coturn.port}?transport=udp`], secret: SECRET, ttlSeconds: 600 },
    });
  });
  afterAll(async () => {
    await server?.close();
    await coturn?.stop();
  });

  async function credentialsFromServer(): Promise<IceServer> {
    const client = await WsClient.connect(server.wsUrl);
    try {
      await client.request({ type: 'create', room: ROOM });
      const message = await client.next();
      if (message.type !== 'ice-servers' || !message.iceServers[0]) throw new Error(`no ice-servers: ${JSON.stringify(message)}`);
      // What a browser would take: the message as its parser returns it.
      const parsed = parseServerMessage(JSON.stringify(message));
      if (!parsed.ok || parsed.value.type !== 'ice-servers') throw new Error('ice-servers does not parse');
      return parsed.value.iceServers[0]!;
    } finally {
      await client.close();
    }
  }

  it('grants a relay for the credentials the server issued', async () => {
    const turn = await credentialsFromServer();
    const candidates = await relayCandidates(turn);
    expect(candidates.some((candidate) => / typ relay /.test(candidate))).toBe(true);
  });

  it('refuses a wrong credential and an expired one', async () => {
    const turn = await credentialsFromServer();
    expect(await relayCandidates({ ...turn, credential: turnRestCredential('not-the-secret', turn.username!) })).toEqual([]);
    const expired = `${Math.floor(Date.now() / 1000) - 60}:expired`;
    expect(await relayCandidates({ ...turn, username: expired, credential: turnRestCredential(SECRET, expired) })).toEqual([]);
    expect(coturn.log()).toMatch(/check_stun_auth/);
  });
});
