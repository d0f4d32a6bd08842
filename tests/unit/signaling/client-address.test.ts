/**
 * The client's address behind reverse proxies (TRUST_PROXY): the header walk itself, its
 * configuration, and the server keying its per-address limits, the TURN credential rate
 * limit and its log lines on the address it yields.
 */
import fc from 'fast-check';
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { ClientAddressResolver, type ProxyHeader, type ProxyTrust, addressNetwork, proxyTrustFromEnv } from '../../../signaling/client-address.ts';
import { errorMessage } from '../../../signaling/protocol.ts';
import { type LogEntry, type SignalingServer, type SignalingServerOptions, createSignalingServer } from '../../../signaling/server.ts';
import { WsClient } from '../helpers/ws-client.ts';

function request(peer: string | undefined, headers: Record<string, string> = {}) {
  return { socket: { remoteAddress: peer }, headers };
}

function behind(ranges: string[], header: ProxyHeader = 'x-forwarded-for'): ClientAddressResolver {
  return new ClientAddressResolver({ kind: 'proxies', ranges, header });
}

const PROXY = '127.0.0.1';
const CLIENT = '203.0.113.9';

describe('addressNetwork: what one client can rotate through counts as one', () => {
  it('takes an IPv6 address to its /64 and leaves IPv4 as it is', () => {
    expect(addressNetwork('2001:db8:1:2:aaaa:bbbb:cccc:dddd')).toBe('2001:db8:1:2::/64');
    expect(addressNetwork('2001:db8:1:2::1')).toBe(addressNetwork('2001:db8:1:2:ffff::9'));
    expect(addressNetwork('2001:db8:1:3::1')).not.toBe(addressNetwork('2001:db8:1:2::1'));
    expect(addressNetwork('::1')).toBe('::/64');
    expect(addressNetwork('192.0.2.7')).toBe('192.0.2.7');
  });
});

describe('ClientAddressResolver: X-Forwarded-For', () => {
  it('without TRUST_PROXY takes the TCP peer and ignores the header', () => {
    const resolver = new ClientAddressResolver({ kind: 'none' });
    expect(resolver.resolve(request(PROXY, { 'x-forwarded-for': CLIENT }))).toBe(PROXY);
    expect(resolver.resolve(request('198.51.100.4'))).toBe('198.51.100.4');
  });

  it('ignores the header from a peer that is not a trusted proxy', () => {
    const resolver = behind([PROXY]);
    expect(resolver.resolve(request('198.51.100.4', { 'x-forwarded-for': CLIENT }))).toBe('198.51.100.4');
  });

  it('takes the address a trusted proxy appended, not the spoofed entries to its left', () => {
    const resolver = behind([PROXY]);
    expect(resolver.resolve(request(PROXY, { 'x-forwarded-for': CLIENT }))).toBe(CLIENT);
    expect(resolver.resolve(request(PROXY, { 'x-forwarded-for': `6.6.6.6, 10.0.0.1, ${CLIENT}` }))).toBe(CLIENT);
    // A client writing a trusted proxy's address on the left gains nothing either.
    expect(resolver.resolve(request(PROXY, { 'x-forwarded-for': `6.6.6.6, ${PROXY}, ${CLIENT}` }))).toBe(CLIENT);
  });

  it('walks through a chain of trusted proxies and stops at the first untrusted hop', () => {
    const resolver = behind([PROXY, '10.0.0.0/8']);
    expect(resolver.resolve(request(PROXY, { 'x-forwarded-for': `${CLIENT}, 10.0.0.2` }))).toBe(CLIENT);
    expect(resolver.resolve(request(PROXY, { 'x-forwarded-for': `6.6.6.6, ${CLIENT}, 10.9.9.9, 10.0.0.2` }))).toBe(CLIENT);
    // The CDN (10.x) was reached by 198.51.100.7, whose own claims (6.6.6.6) are not believed.
    expect(resolver.resolve(request(PROXY, { 'x-forwarded-for': '6.6.6.6, 198.51.100.7, 10.0.0.2' }))).toBe('198.51.100.7');
  });

  it('takes the leftmost entry when every hop is a trusted proxy', () => {
    const resolver = behind(['10.0.0.0/8', PROXY]);
    expect(resolver.resolve(request(PROXY, { 'x-forwarded-for': '10.1.1.1, 10.2.2.2' }))).toBe('10.1.1.1');
  });

  it('with no header from a trusted proxy, the proxy is the client', () => {
    expect(behind([PROXY]).resolve(request(PROXY))).toBe(PROXY);
  });

  it('reads IPv6 proxies, ranges and clients, in one spelling', () => {
    const resolver = behind(['::1', 'fd00::/8']);
    expect(resolver.resolve(request('::1', { 'x-forwarded-for': '2001:DB8:0:0::1' }))).toBe('2001:db8::1');
    expect(resolver.resolve(request('fd12::5', { 'x-forwarded-for': `2001:db8::2, fd00::9` }))).toBe('2001:db8::2');
    expect(resolver.resolve(request('2001:db8::66', { 'x-forwarded-for': CLIENT }))).toBe('2001:db8::66');
    expect(resolver.resolve(request('::1', { 'x-forwarded-for': CLIENT }))).toBe(CLIENT);
  });

  it('treats IPv4-mapped IPv6 as the IPv4 address, for trust and for the key', () => {
    const resolver = behind([PROXY]);
    // A dual-stack listener sees IPv4 peers as ::ffff:a.b.c.d.
    expect(resolver.resolve(request('::ffff:127.0.0.1', { 'x-forwarded-for': CLIENT }))).toBe(CLIENT);
    expect(resolver.resolve(request(PROXY, { 'x-forwarded-for': '::ffff:203.0.113.9' }))).toBe(CLIENT);
    expect(resolver.resolve(request('::ffff:198.51.100.4', { 'x-forwarded-for': CLIENT }))).toBe('198.51.100.4');
    expect(new ClientAddressResolver({ kind: 'none' }).resolve(request('::ffff:198.51.100.4'))).toBe('198.51.100.4');
  });

  it('drops an IPv6 zone index, so it cannot make one client several', () => {
    const resolver = behind(['fe80::/10']);
    expect(resolver.resolve(request('fe80::1%eth0', { 'x-forwarded-for': '2001:db8::5%a' }))).toBe('2001:db8::5');
    expect(resolver.resolve(request('fe80::1%eth0', { 'x-forwarded-for': '2001:db8::5%b' }))).toBe('2001:db8::5');
  });

  it('ends the walk at the last known hop when an entry is malformed', () => {
    const resolver = behind([PROXY, '10.0.0.0/8']);
    for (const header of ['garbage', '', ' , ,', '203.0.113', '203.0.113.9:443', '0x7f.0.0.1', '127.1', '[2001:db8::1]', 'unknown', '\u0000', 'x'.repeat(10_000)]) {
      expect(resolver.resolve(request(PROXY, { 'x-forwarded-for': header })), JSON.stringify(header.slice(0, 20))).toBe(PROXY);
    }
    expect(resolver.resolve(request(PROXY, { 'x-forwarded-for': `${CLIENT}, junk, 10.0.0.2` }))).toBe('10.0.0.2');
    expect(resolver.resolve(request(PROXY, { 'x-forwarded-for': `${CLIENT}, 10.0.0.2, junk` }))).toBe(PROXY);
  });

  it('ignores a Forwarded header when the proxies write X-Forwarded-For', () => {
    const resolver = behind([PROXY]);
    expect(resolver.resolve(request(PROXY, { forwarded: 'for=6.6.6.6', 'x-forwarded-for': CLIENT }))).toBe(CLIENT);
    expect(resolver.resolve(request(PROXY, { forwarded: 'for=6.6.6.6' }))).toBe(PROXY);
  });

  it('keys a peer without an address as unknown', () => {
    expect(behind([PROXY]).resolve(request(undefined, { 'x-forwarded-for': CLIENT }))).toBe('unknown');
  });
});

describe('ClientAddressResolver: RFC 7239 Forwarded', () => {
  const resolver = behind([PROXY, '10.0.0.0/8'], 'forwarded');

  it('takes the rightmost for= node a trusted proxy added, with or without a port', () => {
    expect(resolver.resolve(request(PROXY, { forwarded: `for=6.6.6.6, for=${CLIENT};proto=https` }))).toBe(CLIENT);
    expect(resolver.resolve(request(PROXY, { forwarded: 'for="192.0.2.43:4711"' }))).toBe('192.0.2.43');
    expect(resolver.resolve(request(PROXY, { forwarded: 'For="[2001:DB8:cafe::17]:4711"' }))).toBe('2001:db8:cafe::17');
    expect(resolver.resolve(request(PROXY, { forwarded: 'for="[2001:db8::17]"' }))).toBe('2001:db8::17');
    expect(resolver.resolve(request(PROXY, { forwarded: `for=${CLIENT}, for=10.0.0.2;by=10.0.0.3` }))).toBe(CLIENT);
  });

  it('ignores it from an untrusted peer, and ignores X-Forwarded-For when set to read Forwarded', () => {
    expect(resolver.resolve(request('198.51.100.4', { forwarded: `for=${CLIENT}` }))).toBe('198.51.100.4');
    expect(resolver.resolve(request(PROXY, { 'x-forwarded-for': '6.6.6.6' }))).toBe(PROXY);
  });

  it('stops at unknown, obfuscated or missing nodes and at a header that does not parse', () => {
    for (const header of ['for=unknown', 'for=_hidden', 'proto=https', 'for="', 'for=1.2.3.4;for', ';;;', 'for=[::1]', 'for="[::1', `for=${CLIENT}, garbage`]) {
      expect(resolver.resolve(request(PROXY, { forwarded: header })), header).toBe(PROXY);
    }
    expect(resolver.resolve(request(PROXY, { forwarded: `for=${CLIENT}, for=_hidden, for=10.0.0.2` }))).toBe('10.0.0.2');
  });
});

describe('ClientAddressResolver never throws and never invents an address', () => {
  it('for any list of entries from a trusted proxy', () => {
    const resolvers = [behind([PROXY, '10.0.0.0/8', '::1']), behind([PROXY, '10.0.0.0/8', '::1'], 'forwarded')];
    // Junk without digits or colons cannot form an address, however it is split.
    const junk = fc.string().filter((text) => !/[\d:]/.test(text));
    const entry = fc.oneof(fc.ipV4(), fc.ipV6(), fc.constantFrom(PROXY, '10.0.0.2', '::1', 'unknown', '_x'), junk);
    fc.assert(
      fc.property(fc.array(entry, { maxLength: 6 }), fc.constantFrom(PROXY, '::1', '198.51.100.4'), fc.nat(1), (entries, peer, which) => {
        const headers = { 'x-forwarded-for': entries.join(', '), forwarded: entries.map((node) => `for="${node}"`).join(', ') };
        const address = resolvers[which]!.resolve(request(peer, headers));
        const candidates = [peer, ...entries.filter((node) => isIP(node) !== 0).map((node) => ipaddr.process(node).toString())];
        expect(candidates).toContain(address);
      }),
      { numRuns: 500 },
    );
  });
});

describe('proxyTrustFromEnv (TRUST_PROXY, TRUST_PROXY_HEADER)', () => {
  it('defaults to trusting no proxy', () => {
    expect(proxyTrustFromEnv({})).toEqual({ kind: 'none' });
    expect(proxyTrustFromEnv({ TRUST_PROXY: ' ' })).toEqual({ kind: 'none' });
  });

  it('reads addresses, CIDR ranges and named ranges, and the header', () => {
    expect(proxyTrustFromEnv({ TRUST_PROXY: '127.0.0.1, 10.0.0.0/8,fd00::/8,loopback' })).toEqual<ProxyTrust>({
      kind: 'proxies',
      ranges: ['127.0.0.1', '10.0.0.0/8', 'fd00::/8', 'loopback'],
      header: 'x-forwarded-for',
    });
    expect(proxyTrustFromEnv({ TRUST_PROXY: '::1', TRUST_PROXY_HEADER: 'Forwarded' })).toMatchObject({ header: 'forwarded' });
  });

  it('refuses what is not an address or range, naming it', () => {
    for (const bad of ['true', '*', '999.1.1.1', '10.0.0.0/33', '10.0.0.0/0', '::/0', '10.0.0.0/x', '127.1', 'proxy.example.org', '1.2.3.4,,5.6.7.8']) {
      expect(() => proxyTrustFromEnv({ TRUST_PROXY: bad }), bad).toThrow(/^TRUST_PROXY must list the addresses or CIDR ranges of your reverse proxies.*not "/);
    }
  });

  it('refuses an unknown header, and a header without proxies', () => {
    expect(() => proxyTrustFromEnv({ TRUST_PROXY: PROXY, TRUST_PROXY_HEADER: 'x-real-ip' })).toThrow('TRUST_PROXY_HEADER must be x-forwarded-for or forwarded, not "x-real-ip"');
    expect(() => proxyTrustFromEnv({ TRUST_PROXY_HEADER: 'forwarded' })).toThrow(/TRUST_PROXY_HEADER has no effect without TRUST_PROXY/);
  });
});

describe('the server keys its limits on the resolved client address', () => {
  const ALICE = '203.0.113.1';
  const BRUNO = '203.0.113.2';
  let server: SignalingServer | undefined;
  const sockets: WebSocket[] = [];
  const clients: WsClient[] = [];
  let logs: LogEntry[] = [];
  afterEach(async () => {
    for (const socket of sockets.splice(0)) socket.terminate();
    await Promise.all(clients.splice(0).map((client) => client.close()));
    await server?.close();
    server = undefined;
    logs = [];
  });

  async function start(options: Partial<SignalingServerOptions>): Promise<string> {
    server = await createSignalingServer({ port: 0, host: '127.0.0.1', log: (entry) => logs.push(entry), logIps: true, ...options });
    return server.wsUrl;
  }

  /** Opens a socket claiming X-Forwarded-For; resolves with it once open, or with the HTTP status that refused it. */
  function open(url: string, forwardedFor: string): Promise<WebSocket | number> {
    return new Promise((resolve) => {
      const socket = new WebSocket(url, { headers: { 'X-Forwarded-For': forwardedFor } });
      sockets.push(socket);
      socket.once('open', () => resolve(socket));
      socket.once('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
      socket.once('error', () => undefined);
    });
  }

  const trustLoopback: ProxyTrust = { kind: 'proxies', ranges: ['127.0.0.1'], header: 'x-forwarded-for' };

  it('counts connections per forwarded address when the peer is a trusted proxy', async () => {
    const url = await start({ trustProxy: trustLoopback, limits: { maxConnectionsPerIp: 2 } });
    for (const claim of [ALICE, ALICE, BRUNO, `6.6.6.6, ${BRUNO}`]) expect(await open(url, claim), claim).toBeInstanceOf(WebSocket);
    expect(await open(url, ALICE)).toBe(429);
    // Spoofed entries on the left do not make Alice somebody else.
    expect(await open(url, `198.51.100.77, ${ALICE}`)).toBe(429);
    expect(logs.filter((entry) => entry.reason === 'connections-per-ip')).toEqual([
      { event: 'refused', reason: 'connections-per-ip', address: ALICE },
      { event: 'refused', reason: 'connections-per-ip', address: ALICE },
    ]);
  });

  it('ignores X-Forwarded-For without TRUST_PROXY, and from a peer it does not trust', async () => {
    for (const trustProxy of [undefined, { ...trustLoopback, ranges: ['10.0.0.0/8', '::1'] }]) {
      const url = await start({ ...(trustProxy ? { trustProxy } : {}), limits: { maxConnectionsPerIp: 2 } });
      expect(await open(url, ALICE)).toBeInstanceOf(WebSocket);
      expect(await open(url, BRUNO)).toBeInstanceOf(WebSocket);
      expect(await open(url, '198.51.100.3')).toBe(429);
      expect(logs.at(-1)).toEqual({ event: 'refused', reason: 'connections-per-ip', address: '127.0.0.1' });
      for (const socket of sockets.splice(0)) socket.terminate();
      await server?.close();
    }
  });

  it('rate-limits TURN credentials per forwarded address', async () => {
    const turnRest = { kind: 'turn-rest' as const, stunUrls: [], turnUrls: ['turn:127.0.0.1:3478'], secret: 's', ttlSeconds: 600 };
    const url = await start({ trustProxy: trustLoopback, ice: turnRest, iceRate: { perMinute: 1, burst: 2 } });
    const connect = async (forwardedFor: string) => {
      const client = await WsClient.connect(url, { headers: { 'X-Forwarded-For': forwardedFor } });
      clients.push(client);
      return client;
    };
    const host = await connect(ALICE);
    await host.request({ type: 'create', room: 'AbCdEfGhIjKlMnOpQrSt_-' });
    expect((await host.next()).type).toBe('ice-servers');
    expect((await host.request({ type: 'refresh-ice' })).type).toBe('ice-servers');
    expect(await host.request({ type: 'refresh-ice' })).toEqual(errorMessage('rate-limited'));
    expect(logs).toContainEqual({ event: 'ice-rate-limited', address: ALICE });
    // Bruno, behind the same proxy, has his own allowance.
    const guest = await connect(BRUNO);
    expect(await guest.request({ type: 'join', room: 'AbCdEfGhIjKlMnOpQrSt_-' })).toMatchObject({ type: 'joined' });
    expect((await guest.request({ type: 'refresh-ice' })).type).toBe('ice-servers');
  });
});
