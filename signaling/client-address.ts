/**
 * The client's address, as every per-address limit, the TURN credential rate limit and
 * the logs know it. Without TRUST_PROXY it is the TCP peer. Behind reverse proxies
 * (TRUST_PROXY lists their addresses or CIDR ranges) a request whose peer is a trusted
 * proxy takes it from the proxy header (TRUST_PROXY_HEADER: X-Forwarded-For by default,
 * or RFC 7239 Forwarded), read from the right: each hop the trusted proxy vouches for
 * is the client, unless that hop is itself a trusted proxy, whose own header entry
 * is then read. The walk stops at the first address that is not a trusted proxy, so
 * entries a client wrote itself further left are never believed.
 *
 * Only one header is read, the one the operator's proxy writes: a proxy that manages
 * X-Forwarded-For passes a client's own `Forwarded` header through untouched, so reading
 * both would let anyone choose their address.
 *
 * A malformed or unusable entry (not an IP address, `unknown`, an obfuscated node, a
 * header that does not parse) ends the walk at the last hop that is known: the trusted
 * proxy that handed it over. It is never a crash and never an address a client chose.
 */
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { isIP } from 'node:net';
import parseForwarded from 'forwarded-parse';
import ipaddr from 'ipaddr.js';
import proxyAddr from 'proxy-addr';

/** Which header the proxies in front write the client's address into. */
export type ProxyHeader = 'x-forwarded-for' | 'forwarded';

export type ProxyTrust =
  /** No proxy in front: the TCP peer is the client (the default). */
  | { kind: 'none' }
  /** Proxies at these addresses/CIDR ranges (or proxy-addr's names loopback, linklocal, uniquelocal). */
  | { kind: 'proxies'; ranges: readonly string[]; header: ProxyHeader };

/** What the resolver reads of a request: its TCP peer and its headers (an IncomingMessage has both). */
export interface ProxiedRequest {
  readonly socket: { readonly remoteAddress?: string | undefined };
  readonly headers: IncomingHttpHeaders;
}

/** The key for a request whose socket has already lost its peer address. */
const UNKNOWN_ADDRESS = 'unknown';

const NAMED_RANGES = new Set(['loopback', 'linklocal', 'uniquelocal']);
const PROXY_HEADERS: readonly ProxyHeader[] = ['x-forwarded-for', 'forwarded'];

export class ClientAddressResolver {
  private readonly trusted: (address: string) => boolean;

  /** Throws a plain-language error for a range proxy-addr cannot read. */
  constructor(private readonly trust: ProxyTrust) {
    if (trust.kind === 'none') {
      this.trusted = () => false;
      return;
    }
    for (const range of trust.ranges) checkRange(range);
    const compiled = proxyAddr.compile([...trust.ranges]);
    this.trusted = (address) => compiled(address, 0);
  }

  /** The TCP peer's address, canonical; whether it is a trusted proxy (whose sockets carry many clients). */
  peer(socket: { remoteAddress?: string | undefined }): { address: string; trustedProxy: boolean } {
    const address = canonical(socket.remoteAddress ?? '') ?? UNKNOWN_ADDRESS;
    return { address, trustedProxy: address !== UNKNOWN_ADDRESS && this.trusted(address) };
  }

  /** The client's address, in canonical form (IPv4-mapped IPv6 as IPv4, IPv6 compressed). Never throws. */
  resolve(request: ProxiedRequest): string {
    const peer = canonical(request.socket.remoteAddress ?? '');
    if (peer === undefined) return UNKNOWN_ADDRESS;
    if (this.trust.kind === 'none' || !this.trusted(peer)) return peer;
    // The header's entries from the right: the one the peer added first.
    const entries = this.trust.header === 'forwarded' ? forwardedEntries(request.headers) : xForwardedForEntries(request);
    let client = peer;
    for (const entry of entries) {
      if (!this.trusted(client)) break;
      const hop = canonical(entry);
      if (hop === undefined) break;
      client = hop;
    }
    return client;
  }
}

/** X-Forwarded-For's entries, rightmost first, as proxy-addr reads them (after the peer, which it puts first). */
function xForwardedForEntries(request: ProxiedRequest): string[] {
  // proxy-addr reads only socket.remoteAddress and headers['x-forwarded-for'].
  return proxyAddr.all(request as IncomingMessage).slice(1);
}

/** The Forwarded header's `for` nodes, rightmost first; '' for an element without one, or a header that does not parse. */
function forwardedEntries(headers: IncomingHttpHeaders): string[] {
  const raw = headers.forwarded;
  if (raw === undefined) return [];
  let elements: Record<string, string>[];
  try {
    elements = parseForwarded(Array.isArray(raw) ? raw.join(', ') : raw);
  } catch {
    return [''];
  }
  return elements.reverse().map((element) => (Object.hasOwn(element, 'for') ? nodeAddress(element.for!) : ''));
}

/**
 * The IP address in an RFC 7239 node (section 6): `192.0.2.43`, `"192.0.2.43:4711"`,
 * `"[2001:db8::17]"`, `"[2001:db8::17]:4711"`; '' for `unknown`, an obfuscated
 * identifier (`_hidden`) or anything else. A bare IPv6 address, which some proxies send
 * although the RFC asks for brackets, is taken as it is.
 */
function nodeAddress(node: string): string {
  if (isIP(node) !== 0) return node;
  const bracketed = /^\[([^\]]+)\](?::\d{1,5})?$/.exec(node);
  if (bracketed && isIP(bracketed[1]!) === 6) return bracketed[1]!;
  const withPort = /^([\d.]+):\d{1,5}$/.exec(node);
  if (withPort && isIP(withPort[1]!) === 4) return withPort[1]!;
  return '';
}

/**
 * One spelling per address, so a client cannot dodge a cap by writing its address
 * differently: IPv4-mapped IPv6 becomes IPv4, IPv6 is compressed (RFC 5952), a zone
 * index is dropped (it names an interface, not a client). undefined if not an address.
 */
function canonical(address: string): string | undefined {
  if (isIP(address) === 0) return undefined;
  try {
    return ipaddr.process(address.replace(/%.*$/s, '')).toString();
  } catch {
    return undefined;
  }
}

function checkRange(range: string): void {
  if (NAMED_RANGES.has(range)) return;
  const slash = range.lastIndexOf('/');
  const address = slash === -1 ? range : range.slice(0, slash);
  const invalid = () =>
    new Error(
      `TRUST_PROXY must list the addresses or CIDR ranges of your reverse proxies, separated by commas ` +
        `(e.g. 127.0.0.1,10.0.0.0/8,fd00::/8; or loopback, linklocal, uniquelocal), not "${range}"`,
    );
  if (isIP(address) === 0) throw invalid();
  try {
    proxyAddr.compile([range]);
  } catch {
    throw invalid();
  }
}

/** Reads TRUST_PROXY and TRUST_PROXY_HEADER; throws a plain-language error for a bad value. */
export function proxyTrustFromEnv(env: Record<string, string | undefined>): ProxyTrust {
  const list = env.TRUST_PROXY?.trim();
  const header = env.TRUST_PROXY_HEADER?.trim().toLowerCase();
  if (!list) {
    if (header) throw new Error('TRUST_PROXY_HEADER has no effect without TRUST_PROXY (the addresses of your reverse proxies)');
    return { kind: 'none' };
  }
  const ranges = list.split(',').map((range) => range.trim());
  const trust: ProxyTrust = { kind: 'proxies', ranges, header: proxyHeader(header) };
  new ClientAddressResolver(trust); // validates every range
  return trust;
}

function proxyHeader(value: string | undefined): ProxyHeader {
  if (!value) return 'x-forwarded-for';
  const header = PROXY_HEADERS.find((known) => known === value);
  if (!header) throw new Error(`TRUST_PROXY_HEADER must be x-forwarded-for or forwarded, not "${value}"`);
  return header;
}

/**
 * The network a client address stands for, for allowances an attacker could otherwise
 * multiply: an IPv6 /64 (one customer's subnet, with 2^64 addresses to rotate through),
 * an IPv4 address as it is. Takes a canonical address (ClientAddressResolver's).
 */
export function addressNetwork(address: string): string {
  if (isIP(address) !== 6) return address;
  const parts = ipaddr.IPv6.parse(address).parts.slice(0, 4);
  return `${new ipaddr.IPv6([...parts, 0, 0, 0, 0]).toString()}/64`;
}
