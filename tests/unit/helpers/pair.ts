import type { Bytes } from '../../../src/core/bytes.ts';
import { type HandshakeConfig, type RsaIdentity, generateRsaIdentity } from '../../../src/core/handshake.ts';
import { DuetError as DuetErrorClass, type DuetError } from '../../../src/core/errors.ts';
import type { PeerMessage } from '../../../src/core/messages.ts';
import { SecureChannel } from '../../../src/core/secure-channel.ts';
import type { Role } from '../../../src/core/roles.ts';
import type { Clock } from '../../../src/core/clock.ts';

let identities: Promise<[RsaIdentity, RsaIdentity, RsaIdentity]> | undefined;

/** Three RSA identities, generated once per test file (RSA key generation is slow). */
export function testIdentities(): Promise<[RsaIdentity, RsaIdentity, RsaIdentity]> {
  const config = { rsaModulusLength: 2048, rsaPublicExponent: 65537 };
  identities ??= Promise.all([generateRsaIdentity(config), generateRsaIdentity(config), generateRsaIdentity(config)]);
  return identities;
}

export interface Endpoint {
  role: Role;
  channel: SecureChannel;
  received: PeerMessage[];
  rejected: DuetError[];
  /** Every frame this endpoint put on the wire, in order. */
  sent: Bytes[];
}

export interface PairOptions {
  psk?: [Bytes, Bytes];
  /** Each side's previous resumption secret (HandshakeOptions.previousPsk), host first. */
  previousPsk?: [Bytes | undefined, Bytes | undefined];
  fingerprints?: { host: [string, string]; guest: [string, string] };
  /** Intercepts frames on their way; return the frames to deliver instead (default: as is). */
  tamper?: (from: Role, frame: Bytes) => Bytes[];
  /** Each side's SecureChannelOptions.drained: when its wire has room for file data (default: always). */
  drained?: (role: Role) => Promise<void>;
  config?: Partial<HandshakeConfig>;
  clock?: Clock;
  identities?: [RsaIdentity, RsaIdentity];
}

/** Two SecureChannels wired back to back, as the data channel would connect them. */
export async function makePair(options: PairOptions = {}): Promise<{ host: Endpoint; guest: Endpoint }> {
  const [a, b] = options.identities ?? (await testIdentities());
  const psk = options.psk ?? [new Uint8Array(32).fill(7), new Uint8Array(32).fill(7)];
  const fp = options.fingerprints ?? { host: ['sha-256 aa', 'sha-256 bb'], guest: ['sha-256 bb', 'sha-256 aa'] };
  const endpoints = {} as { host: Endpoint; guest: Endpoint };
  const make = (role: Role, identity: RsaIdentity, key: Bytes, [local, remote]: [string, string], previousPsk: Bytes | undefined): Endpoint => {
    const endpoint: Endpoint = {
      role,
      received: [],
      rejected: [],
      sent: [],
      channel: new SecureChannel({
        role,
        identity,
        psk: key,
        ...(previousPsk ? { previousPsk } : {}),
        fingerprints: () => Promise.resolve({ local, remote }),
        // Handshake messages (the app sends them as signals) and records (the data channel)
        // take the same in-memory path here, each to its own entry point.
        sendHandshake: (frame) => {
          endpoint.sent.push(frame);
          const peer = role === 'host' ? endpoints.guest : endpoints.host;
          const frames = options.tamper ? options.tamper(role, frame) : [frame];
          queueMicrotask(() => frames.forEach((f) => peer.channel.receiveHandshake(f)));
        },
        send: (sent) => {
          // A copy, as RTCDataChannel.send makes one: the channel reuses record buffers once sent.
          const frame = new Uint8Array(sent) as Bytes;
          endpoint.sent.push(frame);
          const peer = role === 'host' ? endpoints.guest : endpoints.host;
          const frames = options.tamper ? options.tamper(role, frame) : [frame];
          // Deliver asynchronously, like a real data channel.
          queueMicrotask(() => frames.forEach((f) => peer.channel.receive(f)));
        },
        ...(options.drained ? { drained: () => options.drained!(role) } : {}),
        onMessage: (message) => endpoint.received.push(message),
        onRejected: (error) => endpoint.rejected.push(error),
        ...(options.config ? { config: options.config } : {}),
        ...(options.clock ? { clock: options.clock } : {}),
      }),
    };
    return endpoint;
  };
  endpoints.host = make('host', a, psk[0], fp.host, options.previousPsk?.[0]);
  endpoints.guest = make('guest', b, psk[1], fp.guest, options.previousPsk?.[1]);
  return endpoints;
}

export type Outcome = { safetyCode: string } | { error: string };

/**
 * Runs both handshakes. Like the app, a side that fails hangs up, which ends the
 * other side's handshake with 'peer-connection-failed'.
 */
export async function establishBoth(pair: { host: Endpoint; guest: Endpoint }): Promise<[Outcome, Outcome]> {
  const run = (self: Endpoint, other: Endpoint): Promise<Outcome> =>
    self.channel.establish().then(
      ({ safetyCode }) => ({ safetyCode }),
      (error: unknown) => {
        other.channel.close(new DuetErrorClass('peer-connection-failed'));
        return { error: error instanceof DuetErrorClass ? error.code : `not a DuetError: ${String(error)}` };
      },
    );
  return Promise.all([run(pair.host, pair.guest), run(pair.guest, pair.host)]);
}
