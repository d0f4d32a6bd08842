/**
 * Duet's data path, made of the product's own modules: the signaling client
 * (src/transport/signaling-client.ts), the simple-peer PeerLink
 * (src/transport/peer-link.ts), the real RSA + ECDH + PSK handshake and the
 * record layer (src/core). Two ways to carry the measurements, and two for comparison:
 *
 * - 'chat': SecureChannel, unchanged, carrying chat PeerMessages (JSON in records),
 *   i.e. exactly what a chat message costs in the app below the UI state;
 * - 'records': the same handshake and RecordSealer/RecordOpener, glued as
 *   SecureChannel glues them (sealing pipelined, frames sent in call order), carrying
 *   opaque binary payloads: what bulk data (64 KiB does not fit a chat message)
 *   costs through Duet's encryption and transport.
 *
 * - 'link': the PeerLink alone, no handshake and no encryption: separates what
 *   simple-peer adds from what the secure channel adds.
 * - 'gcm': not Duet's format, a lower bound: the same keys, one bare AES-GCM call
 *   per message on each side and nothing else (see bareGcmCodec).
 *
 * Signals, the handshake's messages among them, are relayed unsealed here (the
 * signal sealing only matters to connection setup, which bench/run.ts measures
 * through the real app instead).
 */
import type { ServerMessage } from '../../signaling/protocol.ts';
import { type Bytes, fromBase64Url, toBase64Url } from '../../src/core/bytes.ts';
import { BufferPool } from '../../src/core/buffer-pool.ts';
import { DEFAULT_HANDSHAKE_CONFIG, Handshake, type HandshakeOptions, type RsaIdentity, type SessionKeys, generateRsaIdentity } from '../../src/core/handshake.ts';
import { deriveRoomKeys } from '../../src/core/invite.ts';
import type { PeerMessage } from '../../src/core/messages.ts';
import { RecordOpener, RecordSealer, RecordType } from '../../src/core/record.ts';
import type { Role } from '../../src/core/roles.ts';
import { SecureChannel } from '../../src/core/secure-channel.ts';
import type { SignalData } from '../../src/core/signal-seal.ts';
import { type PeerLink, createPeerLink } from '../../src/transport/peer-link.ts';
import { prepareCertificate } from '../../src/transport/certificate.ts';
import { type SignalingConnection, connectSignaling } from '../../src/transport/signaling-client.ts';
import { type BenchMessage, type Kind, Measurer, type Pipe, connectionNamed, decodeBinary, encodeBinary, epochNow, fromBase64UrlJson, toBase64UrlJson, until } from './measure.ts';

type Mode = keyof typeof PIPES;

interface DuetConnection {
  signaling: SignalingConnection | undefined;
  link: PeerLink | undefined;
  close: () => void;
  securedAt: number | undefined;
  measurer: Measurer | undefined;
  error: string | undefined;
}

const connections = new Map<string, DuetConnection>();
// As the app does when its lobby shows (src/main.ts): the DTLS certificate is made ahead.
prepareCertificate();

// --- chat messages: the kind and number ride in the message id, the size is the text length

const texts = new Map<number, string>();
function textOf(size: number): string {
  let text = texts.get(size);
  if (text === undefined) {
    text = 'a'.repeat(Math.max(1, size));
    texts.set(size, text);
  }
  return text;
}

function chatOf(message: BenchMessage): PeerMessage {
  return { type: 'chat', id: `k${message.kind}n${message.n.toString(36).padStart(5, '0')}`, text: textOf(message.size), sentAt: Date.now() };
}

function benchMessageOf(message: PeerMessage): BenchMessage | undefined {
  if (message.type !== 'chat') return undefined;
  const match = /^k(\d)n([0-9a-z]+)$/.exec(message.id);
  if (!match) return undefined;
  return { kind: Number(match[1]) as Kind, n: Number.parseInt(match[2]!, 36), size: message.text.length };
}

/**
 * What a pipe is built from. As in the app, it is built when the link is made: the
 * handshake runs through the signaling server (relayed unsealed here, see above)
 * while WebRTC connects, and the pipe is ready once the handshake is done and the
 * data channel is up.
 */
interface PipeSetup {
  name: string;
  role: Role;
  link: PeerLink;
  psk: Bytes;
  identity: RsaIdentity;
  /** Sends one handshake message through the signaling server. */
  sendHandshake: (bytes: Bytes) => void;
  /** Where handshake messages from the peer go (those that came earlier are handed over at once). */
  onHandshake: (receive: (bytes: Bytes) => void) => void;
  /** Where data-channel frames go (likewise). */
  onData: (receive: (bytes: Bytes) => void) => void;
  /** Resolves when PeerLink reports the data channel usable. */
  linkUp: Promise<void>;
}

/** What the real handshake needs, as the app gives it: the role, keys, both DTLS fingerprints. */
function handshakeOf(setup: PipeSetup): HandshakeOptions {
  const { role, identity, psk, link } = setup;
  return { role, identity, psk, fingerprints: () => link.fingerprints(), send: setup.sendHandshake };
}

/** The chat pipe: SecureChannel as the app uses it. Resolves once the handshake is done and the link is up. */
async function chatPipe(setup: PipeSetup): Promise<Pipe> {
  const pipe: Pipe = { name: setup.name, errors: [], onMessage: () => {}, send: () => {} };
  const { send: sendHandshake, ...handshake } = handshakeOf(setup);
  const channel = new SecureChannel({
    ...handshake,
    sendHandshake,
    send: (bytes) => setup.link.send(bytes),
    onMessage: (message) => {
      const bench = benchMessageOf(message);
      if (bench) pipe.onMessage(bench);
    },
    onRejected: (error) => pipe.errors.push(`${error.code}: ${error.message}`),
  });
  setup.onHandshake((bytes) => channel.receiveHandshake(bytes));
  setup.onData((bytes) => channel.receive(bytes));
  await Promise.all([channel.establish(), setup.linkUp]);
  pipe.send = (message) => {
    channel.send(chatOf(message)).catch((error: unknown) => pipe.errors.push(String(error)));
  };
  return pipe;
}

/** How a pipe on the real handshake's keys turns binary payloads into frames and back. */
interface FrameCodec {
  /** Reads the payload before it returns (the measurements reuse their buffers). */
  seal(payload: Bytes): Promise<Bytes>;
  /** The frame is on the wire (the data channel copied it): its buffer may serve again. */
  sent(frame: Bytes): void;
  /** Resolves with the payload; results come in call order. */
  open(frame: Bytes): Promise<Bytes>;
}

/** Duet's record layer, as SecureChannel uses it. */
function recordCodec(keys: SessionKeys): FrameCodec {
  const sealer = new RecordSealer(keys.sendAes, keys.sendMac);
  const opener = new RecordOpener(keys.receiveAes, keys.receiveMac);
  return {
    seal: (payload) => sealer.seal(RecordType.chat, payload),
    sent: (frame) => sealer.recycle(frame),
    open: (frame) => opener.open(frame).then((record) => record.plaintext),
  };
}

/**
 * Not Duet: one AES-GCM encryption per message and one decryption, IV in front, with
 * the same keys, and nothing else (no HMAC, no header, no sequence check). A lower
 * bound for any channel that encrypts each message with WebCrypto, against which the
 * record layer's own cost can be read.
 */
function bareGcmCodec(keys: SessionKeys): FrameCodec {
  const IV_BYTES = 12;
  const buffers = new BufferPool();
  let inOrder: Promise<unknown> = Promise.resolve();
  return {
    async seal(payload) {
      const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
      const ciphertext = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, keys.sendAes, payload));
      const frame = buffers.take(IV_BYTES + ciphertext.length);
      frame.set(iv);
      frame.set(ciphertext, IV_BYTES);
      return frame;
    },
    sent: (frame) => buffers.give(frame),
    open(frame) {
      const decrypted = crypto.subtle.decrypt({ name: 'AES-GCM', iv: frame.subarray(0, IV_BYTES) }, keys.receiveAes, frame.subarray(IV_BYTES));
      const opened = inOrder.then(() => decrypted).then((plaintext) => new Uint8Array(plaintext));
      inOrder = opened.catch(() => {});
      return opened;
    },
  };
}

/** A pipe of binary payloads on the real handshake's keys, glued as SecureChannel glues records: sealing pipelined, frames sent in call order. */
async function keyedPipe(setup: PipeSetup, codecOf: (keys: SessionKeys) => FrameCodec): Promise<Pipe> {
  const pipe: Pipe = { name: setup.name, errors: [], onMessage: () => {}, send: () => {} };
  const handshake = new Handshake(handshakeOf(setup));
  let codec: FrameCodec | undefined;
  const waiting: Bytes[] = [];
  const openFrame = (bytes: Bytes) => {
    codec!.open(bytes).then(
      (payload) => pipe.onMessage(decodeBinary(payload)),
      (error: unknown) => pipe.errors.push(String(error)),
    );
  };
  setup.onHandshake((bytes) => handshake.receive(bytes));
  setup.onData((bytes) => {
    if (codec) openFrame(bytes);
    else waiting.push(bytes);
  });
  const [keys] = await Promise.all([handshake.run(), setup.linkUp]);
  codec = codecOf(keys);
  for (const frame of waiting.splice(0)) openFrame(frame);
  let outbound: Promise<void> = Promise.resolve();
  pipe.send = (message) => {
    const sealed = codec!.seal(encodeBinary(message));
    outbound = outbound
      .then(async () => {
        const frame = await sealed;
        setup.link.send(frame);
        codec!.sent(frame);
      })
      .catch((error: unknown) => void pipe.errors.push(String(error)));
  };
  return pipe;
}

/** The link pipe: bytes straight through PeerLink (simple-peer), for the decomposition only. */
async function linkPipe(setup: PipeSetup): Promise<Pipe> {
  const pipe: Pipe = {
    name: setup.name,
    errors: [],
    onMessage: () => {},
    send: (message) => setup.link.send(encodeBinary(message)),
  };
  setup.onData((bytes) => pipe.onMessage(decodeBinary(bytes)));
  await setup.linkUp;
  return pipe;
}

const PIPES = {
  chat: chatPipe,
  records: (setup: PipeSetup) => keyedPipe(setup, recordCodec),
  gcm: (setup: PipeSetup) => keyedPipe(setup, bareGcmCodec),
  link: linkPipe,
} as const;

/** Bytes delivered before a receiver is set are kept, and handed to it when it is. */
function handOver(): { deliver: (bytes: Bytes) => void; receiveWith: (receiver: (bytes: Bytes) => void) => void } {
  const early: Bytes[] = [];
  let receive: (bytes: Bytes) => void = (bytes) => early.push(bytes);
  return {
    deliver: (bytes) => receive(bytes),
    receiveWith: (receiver) => {
      receive = receiver;
      for (const bytes of early.splice(0)) receiver(bytes);
    },
  };
}

/**
 * Opens the signaling connection and enters the room (the id derived from `secret`,
 * as the app derives it); resolves once the server confirmed. The guest makes the
 * WebRTC offer when it is in the room, as in the app.
 */
async function enter(name: string, role: Role, secret: string, wsUrl: string, mode: Mode): Promise<{ startedAt: number; inRoomAt: number }> {
  // The app makes its RSA key while the lobby shows, before anyone connects: so does this page, untimed.
  const identity = await generateRsaIdentity(DEFAULT_HANDSHAKE_CONFIG);
  const startedAt = epochNow();
  const keys = await deriveRoomKeys(fromBase64Url(secret));
  const connection: DuetConnection = { signaling: undefined, link: undefined, close: () => {}, securedAt: undefined, measurer: undefined, error: undefined };
  connections.set(name, connection);
  const fail = (error: unknown) => void (connection.error ??= error instanceof Error ? `${error.name}: ${error.message}` : String(error));
  // Frames and handshake messages that arrive before the pipe took over are kept for it.
  const frames = handOver();
  const handshakeMessages = handOver();
  const sendSignal = (signal: unknown) => connection.signaling?.send({ type: 'signal', payload: toBase64UrlJson(signal) });

  const startLink = () => {
    let linkConnected!: () => void;
    const linkUp = new Promise<void>((resolve) => (linkConnected = resolve));
    const link = createPeerLink({
      initiator: role === 'guest',
      iceServers: [],
      iceTransportPolicy: 'all',
      onSignal: sendSignal,
      onConnect: () => {
        // For the setup split: when PeerLink reported the link usable, after the channel's own open event.
        (window as { __linkConnectAt?: number }).__linkConnectAt ??= epochNow();
        linkConnected();
      },
      onData: frames.deliver,
      onClose: (error) => {
        if (error) fail(error);
      },
    });
    connection.link = link;
    PIPES[mode]({
      name,
      role,
      link,
      psk: keys.psk,
      identity,
      sendHandshake: (bytes) => sendSignal({ type: 'handshake', message: toBase64Url(bytes) }),
      onHandshake: handshakeMessages.receiveWith,
      onData: frames.receiveWith,
      linkUp,
    }).then((pipe) => {
      connection.measurer = new Measurer(pipe);
      connection.securedAt = epochNow();
    }, fail);
  };

  let inRoom: (() => void) | undefined;
  const entered = new Promise<void>((resolve) => (inRoom = resolve));
  const onMessage = (message: ServerMessage) => {
    switch (message.type) {
      case 'created':
        inRoom?.();
        return;
      case 'peer-joined':
        // As in the app: the host makes its link (and starts the handshake) once the guest is there.
        startLink();
        return;
      case 'joined':
        startLink();
        inRoom?.();
        return;
      case 'signal':
        try {
          const signal = fromBase64UrlJson(message.payload) as SignalData;
          if (signal.type === 'handshake') handshakeMessages.deliver(fromBase64Url(signal.message));
          else if (signal.type !== 'session' && signal.type !== 'ice-restart') connection.link?.signal(signal);
        } catch (error) {
          fail(error);
        }
        return;
      case 'error':
        fail(new Error(`server error ${message.code}`));
        inRoom?.();
        return;
      default:
        return;
    }
  };
  connection.signaling = await connectSignaling(wsUrl, { onMessage, onInvalid: fail, onClose: () => {} });
  connection.close = () => {
    connection.link?.destroy();
    connection.signaling?.close();
  };
  connection.signaling.send({ type: role === 'host' ? 'create' : 'join', room: keys.roomId });
  await entered;
  if (connection.error) throw new Error(connection.error);
  return { startedAt, inRoomAt: epochNow() };
}

const bench = {
  kind: 'duet',
  enter,
  /** Times the app's own RSA key generation (generateRsaIdentity: generateKey and the SPKI export), in ms. */
  async rsaKeygen(bits: number, runs: number, maxMs: number): Promise<number[]> {
    const times: number[] = [];
    const started = performance.now();
    for (let i = 0; i < runs && performance.now() - started < maxMs; i++) {
      const begin = performance.now();
      await generateRsaIdentity({ rsaModulusLength: bits, rsaPublicExponent: DEFAULT_HANDSHAKE_CONFIG.rsaPublicExponent });
      times.push(performance.now() - begin);
    }
    return times;
  },
  /**
   * This Chromium's WebCrypto throughput for the record layer's two per-byte operations
   * on 64 KiB (AES-256-GCM encrypt, HMAC-SHA256 sign), one call at a time, in MiB/s:
   * context for the bulk figures, since every record byte goes through both on each side.
   */
  async cryptoThroughput(calls: number): Promise<{ aesGcmMiBs: number; hmacMiBs: number }> {
    const aes = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt']);
    const mac = await crypto.subtle.generateKey({ name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
    const data = crypto.getRandomValues(new Uint8Array(64 * 1024));
    const iv = new Uint8Array(12);
    const rate = async (run: () => Promise<unknown>) => {
      for (let i = 0; i < 20; i++) await run(); // warm-up
      const begin = performance.now();
      for (let i = 0; i < calls; i++) await run();
      return (calls * data.length) / 1048576 / ((performance.now() - begin) / 1000);
    };
    const aesGcmMiBs = await rate(() => crypto.subtle.encrypt({ name: 'AES-GCM', iv }, aes, data));
    const hmacMiBs = await rate(() => crypto.subtle.sign('HMAC', mac, data));
    return { aesGcmMiBs, hmacMiBs };
  },
  /** Resolves with the epoch time this side's handshake finished. */
  async opened(name: string, timeoutMs = 30_000): Promise<number> {
    const connection = connectionNamed(connections, name);
    await until(() => connection.securedAt !== undefined || connection.error !== undefined, timeoutMs, `${name} to be secure`);
    if (connection.error) throw new Error(connection.error);
    return connection.securedAt!;
  },
  roundTrips(name: string, size: number, warmup: number, samples: number, maxMs: number): Promise<number[]> {
    return connectionNamed(connections, name).measurer!.roundTrips(size, warmup, samples, maxMs);
  },
  flow(name: string, size: number, window: number, ackEvery: number, durationMs: number) {
    return connectionNamed(connections, name).measurer!.flow(size, window, ackEvery, durationMs);
  },
  close(name: string): void {
    connections.get(name)?.close();
    connections.delete(name);
  },
};

export type DuetBench = typeof bench;
Object.assign(window, { __bench: bench });
