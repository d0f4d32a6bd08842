/**
 * The measurements, written once and run unchanged over every pipe (the raw data
 * channel baseline and Duet's secure channel), so a ratio compares only the pipes.
 *
 * One page sends and measures; the other page's responder answers. Flow control is
 * an acknowledgement window at this level (the receiver acknowledges every
 * `ackEvery` messages, the sender keeps at most `window` unacknowledged), because
 * Duet's PeerLink does not expose the data channel's bufferedAmount; the same
 * window applies to the baseline, so both are measured the same way.
 */

export const Kind = {
  ping: 1,
  pong: 2,
  data: 3,
  ack: 4,
  end: 5,
  endAck: 6,
  /** Sets the receiver's acknowledgement interval (n) and resets its counter. */
  config: 7,
} as const;
export type Kind = (typeof Kind)[keyof typeof Kind];

/** What the measurements send; each pipe encodes it its own way (bytes, or a chat message). */
export interface BenchMessage {
  kind: Kind;
  /** A sequence number or a count, depending on the kind. */
  n: number;
  /** Payload size in bytes (raw, records) or characters (chat text). */
  size: number;
}

export interface Pipe {
  readonly name: string;
  /** Sends in call order; never blocks. */
  send(message: BenchMessage): void;
  onMessage: (message: BenchMessage) => void;
  /** Failures reported by the pipe (e.g. a refused record); a measurement fails if any occur. */
  errors: string[];
}

/** Small control messages (acknowledgements, end markers). */
const CONTROL_SIZE = 16;
const STALL_TIMEOUT_MS = 20_000;

export const now = (): number => performance.now();
/** Wall-clock milliseconds with sub-millisecond resolution, comparable across pages of one machine. */
export const epochNow = (): number => performance.timeOrigin + performance.now();

/**
 * Answers the measuring page: pong for ping, acknowledgements for data. Installed
 * on both pages, so either may measure.
 */
export function installResponder(pipe: Pipe, onOther: (message: BenchMessage) => void): void {
  let ackEvery = 1;
  let received = 0;
  pipe.onMessage = (message) => {
    switch (message.kind) {
      case Kind.ping:
        pipe.send({ kind: Kind.pong, n: message.n, size: message.size });
        return;
      case Kind.config:
        ackEvery = Math.max(1, message.n);
        received = 0;
        return;
      case Kind.data:
        received += 1;
        if (received % ackEvery === 0) pipe.send({ kind: Kind.ack, n: received, size: CONTROL_SIZE });
        return;
      case Kind.end:
        pipe.send({ kind: Kind.endAck, n: received, size: CONTROL_SIZE });
        return;
      default:
        onOther(message);
    }
  };
}

/** The sender's side: routes pongs and acknowledgements to whichever measurement waits for them. */
export class Measurer {
  private wake: (() => void) | undefined;
  private pong: { n: number; resolve: () => void } | undefined;
  private acked = 0;
  private endAck: ((received: number) => void) | undefined;

  constructor(private readonly pipe: Pipe) {
    installResponder(pipe, (message) => this.onReply(message));
  }

  private onReply(message: BenchMessage): void {
    if (message.kind === Kind.pong && this.pong?.n === message.n) {
      const { resolve } = this.pong;
      this.pong = undefined;
      resolve();
    } else if (message.kind === Kind.ack) {
      this.acked = Math.max(this.acked, message.n);
      this.wakeUp();
    } else if (message.kind === Kind.endAck) {
      const resolve = this.endAck;
      this.endAck = undefined;
      resolve?.(message.n);
    }
  }

  private wakeUp(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  private checkErrors(): void {
    if (this.pipe.errors.length > 0) throw new Error(`${this.pipe.name}: ${this.pipe.errors.slice(0, 3).join('; ')}`);
  }

  /** Sequential echo round trips; returns each round trip in milliseconds (after `warmup` unrecorded ones). */
  async roundTrips(size: number, warmup: number, samples: number, maxMs: number): Promise<number[]> {
    const times: number[] = [];
    const started = now();
    for (let i = 0; i < warmup + samples; i++) {
      if (now() - started > maxMs) break;
      const sentAt = now();
      await withTimeout(
        new Promise<void>((resolve) => {
          this.pong = { n: i, resolve };
          this.pipe.send({ kind: Kind.ping, n: i, size });
        }),
        `${this.pipe.name}: no pong`,
      );
      if (i >= warmup) times.push(now() - sentAt);
    }
    this.checkErrors();
    return times;
  }

  /**
   * Sends `size`-byte messages for `durationMs` as fast as the acknowledgement window
   * allows, then an end marker; the time runs until the receiver confirms it has all
   * of them. Returns what was delivered and how long it took.
   */
  async flow(size: number, window: number, ackEvery: number, durationMs: number): Promise<{ messages: number; bytes: number; elapsedMs: number }> {
    this.acked = 0;
    this.pipe.send({ kind: Kind.config, n: ackEvery, size: CONTROL_SIZE });
    const started = now();
    let sent = 0;
    while (now() - started < durationMs) {
      // Send what the window allows; look at the clock every few messages so a fast pipe stops on time.
      while (sent - this.acked < window) {
        this.pipe.send({ kind: Kind.data, n: sent, size });
        sent += 1;
        if (sent % 32 === 0 && now() - started >= durationMs) break;
      }
      if (sent - this.acked >= window) {
        await withTimeout(new Promise<void>((resolve) => (this.wake = resolve)), `${this.pipe.name}: acknowledgements stalled`);
      }
    }
    const received = await withTimeout(
      new Promise<number>((resolve) => {
        this.endAck = resolve;
        this.pipe.send({ kind: Kind.end, n: sent, size: CONTROL_SIZE });
      }),
      `${this.pipe.name}: no end acknowledgement`,
    );
    const elapsedMs = now() - started;
    this.checkErrors();
    if (received !== sent) throw new Error(`${this.pipe.name}: sent ${sent} messages, the receiver counted ${received}`);
    return { messages: sent, bytes: sent * size, elapsedMs };
  }
}

function withTimeout<T>(promise: Promise<T>, message: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), STALL_TIMEOUT_MS);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

// ---------------------------------------------------------------------------
// Binary encoding (raw data channel and Duet records): kind (1) | n (8, float64) | padding

const HEADER_BYTES = 9;
const buffers = new Map<number, Uint8Array<ArrayBuffer>>();

/**
 * Encodes into a buffer reused per size: the data channel's send() and WebCrypto
 * both copy their input when called, so the bytes may change afterwards.
 */
export function encodeBinary(message: BenchMessage): Uint8Array<ArrayBuffer> {
  const size = Math.max(HEADER_BYTES, message.size);
  let buffer = buffers.get(size);
  if (!buffer) {
    buffer = new Uint8Array(size).fill(0x61);
    buffers.set(size, buffer);
  }
  const view = new DataView(buffer.buffer);
  view.setUint8(0, message.kind);
  view.setFloat64(1, message.n);
  return buffer;
}

export function decodeBinary(bytes: Uint8Array): BenchMessage {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return { kind: view.getUint8(0) as Kind, n: view.getFloat64(1), size: bytes.byteLength };
}

// ---------------------------------------------------------------------------
// Signal payloads for the bench pages: the server relays base64url text only.

export function toBase64UrlJson(value: unknown): string {
  const bytes = new TextEncoder().encode(JSON.stringify(value));
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export function fromBase64UrlJson(text: string): unknown {
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  return JSON.parse(new TextDecoder().decode(Uint8Array.from(binary, (c) => c.charCodeAt(0))));
}

/** Settles when `predicate` holds; rejects after `timeoutMs`. */
/** The connection a harness call names, from a page's map of them; a name it never opened is the harness's bug. */
export function connectionNamed<T>(connections: ReadonlyMap<string, T>, name: string): T {
  const connection = connections.get(name);
  if (!connection) throw new Error(`no connection ${name}`);
  return connection;
}

export function until(predicate: () => boolean, timeoutMs: number, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const started = now();
    const check = () => {
      if (predicate()) resolve();
      else if (now() - started > timeoutMs) reject(new Error(`timed out waiting for ${what}`));
      else setTimeout(check, 1);
    };
    check();
  });
}
