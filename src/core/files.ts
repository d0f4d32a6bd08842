/**
 * File transfer, the parts that need no DOM: sizes and limits, what a received
 * file may be called and typed as, the whole-file checksum, and the progress
 * meter. The state machine lives in src/session/file-transfers.ts.
 */

/** Bytes of file data in one record: every chunk is sealed (AES-GCM + HMAC) on its own. */
export const FILE_CHUNK_BYTES = 16 * 1024;
/**
 * The sender keeps at most this much data unacknowledged by the receiver, so a
 * slow receiver (or its disk) slows the sender instead of filling its memory, and
 * a chat message never waits behind more than this: whatever the receiver has not
 * yet opened and written is ahead of it (16 chunks).
 */
export const FILE_WINDOW_BYTES = 256 * 1024;
/** The receiver acknowledges after this much data (and at the end): a quarter of the window, so it rarely runs dry. */
export const FILE_ACK_EVERY_BYTES = 64 * 1024;
/** Offers a receiver holds at once (waiting for an answer or in flight); more are declined. */
export const MAX_OPEN_INCOMING_FILES = 16;
/** Largest file Duet announces or accepts: 2^53 − 1 bytes is the JSON-safe bound (8 PiB). */
export const MAX_FILE_BYTES = Number.MAX_SAFE_INTEGER;
export const MAX_FILE_NAME_LENGTH = 255;
/**
 * Above this size a receiver whose browser can write to disk as data arrives
 * (File System Access API) is asked where to save before the transfer starts;
 * otherwise the file is kept in memory (as a Blob) until saved, with a warning.
 */
export const STREAM_TO_DISK_ABOVE_BYTES = 64 * 1024 * 1024;
export const LARGE_IN_MEMORY_WARNING_BYTES = 512 * 1024 * 1024;

/**
 * Image types shown as a preview. Everything else (SVG and HTML included) is
 * handed out as application/octet-stream, so opening a received file can never
 * run it as a page of Duet's origin.
 */
const PREVIEWABLE_TYPES: ReadonlySet<string> = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'image/avif', 'image/bmp']);
const MIME_PATTERN = /^[a-z0-9][a-z0-9!#$&^_.+-]{0,63}\/[a-z0-9][a-z0-9!#$&^_.+-]{0,63}$/;
const OPAQUE_TYPE = 'application/octet-stream';

/** The type a sender announces: the browser's guess when it is well formed, else opaque. */
export function announcedFileType(type: string): string {
  const lower = type.toLowerCase().split(';')[0]!.trim();
  return MIME_PATTERN.test(lower) ? lower : OPAQUE_TYPE;
}

/** The announced type is well formed (a malformed one is refused at parsing). */
export function isValidFileType(type: string): boolean {
  return MIME_PATTERN.test(type);
}

/** The type a received file gets locally: a previewable image type, or opaque bytes. */
export function localFileType(announced: string): string {
  return PREVIEWABLE_TYPES.has(announced) ? announced : OPAQUE_TYPE;
}

export function isPreviewable(type: string): boolean {
  return PREVIEWABLE_TYPES.has(type);
}

/**
 * A file name safe to show and to suggest for saving: no directories, no control
 * or bidirectional-override characters (which can disguise "txt.exe" as
 * "exe.txt"), no leading dots, at most 255 characters. Never empty.
 */
export function sanitiseFileName(input: string): string {
  const base = input.split(/[\\/]/).pop() ?? '';
  const cleaned = base
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g, '')
    .replace(/[<>:"|?*]/g, '_')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/^\.+/, '');
  const characters = [...cleaned];
  const name = characters.length > MAX_FILE_NAME_LENGTH ? characters.slice(0, MAX_FILE_NAME_LENGTH).join('') : cleaned;
  return name.length > 0 ? name : 'file';
}

/** A name is acceptable on the wire exactly when sanitising leaves it unchanged. */
export function isCleanFileName(name: string): boolean {
  return name.length > 0 && sanitiseFileName(name) === name;
}

/** Number of chunks a file of this size is sent in (an empty file is none). */
export function chunkCount(size: number): number {
  return Math.ceil(size / FILE_CHUNK_BYTES);
}

/** Length of chunk `index` of a file of `size` bytes. */
export function chunkLength(size: number, index: number): number {
  return Math.min(FILE_CHUNK_BYTES, size - index * FILE_CHUNK_BYTES);
}

/**
 * A whole-file SHA-256 being computed somewhere (here, or in a worker so the
 * hashing runs beside the transfer instead of taking turns with it).
 */
export interface StreamingChecksum {
  /**
   * Hashes the next bytes of the file and takes them over: the caller must not use
   * them, nor anything else in their buffer, afterwards (a worker receives the buffer
   * itself rather than a copy, which at file-transfer rates costs more than hashing).
   */
  consume(bytes: Uint8Array): void;
  digestHex(): Promise<string>;
  /** Frees it without a digest (a transfer that stopped). */
  dispose(): void;
}

export function isSha256Hex(value: unknown): value is string {
  return typeof value === 'string' && /^[0-9a-f]{64}$/.test(value);
}

/**
 * Speed and time left for a progress bar: an exponentially weighted rate over
 * samples at least `minIntervalMs` apart, so a burst does not make it jump.
 */
export class ProgressMeter {
  private lastAt: number;
  private lastBytes: number;
  private rate: number | undefined;

  constructor(
    startedAt: number,
    private readonly minIntervalMs = 500,
    private readonly smoothing = 0.3,
  ) {
    this.lastAt = startedAt;
    this.lastBytes = 0;
  }

  /** Records that `bytes` (a running total) are done at time `now`. */
  update(bytes: number, now: number): void {
    const elapsed = now - this.lastAt;
    if (elapsed < this.minIntervalMs) return;
    const instant = ((bytes - this.lastBytes) * 1000) / elapsed;
    this.rate = this.rate === undefined ? instant : this.rate + this.smoothing * (instant - this.rate);
    this.lastAt = now;
    this.lastBytes = bytes;
  }

  /** Bytes per second, once there is a measurement. */
  get bytesPerSecond(): number | undefined {
    return this.rate;
  }

  secondsLeft(done: number, total: number): number | undefined {
    if (this.rate === undefined || this.rate <= 0) return undefined;
    return Math.max(0, (total - done) / this.rate);
  }
}
