/**
 * Where a received file is written while it arrives: into memory (a Blob the
 * "Save" link hands out), or straight to a file the person picked (File System
 * Access API, Chromium-based browsers), so a file larger than memory can arrive.
 */
import type { Bytes } from '../core/bytes.ts';
import { DuetError } from '../core/errors.ts';
import { localFileType } from '../core/files.ts';
import type { FileSink } from '../session/file-transfers.ts';

/**
 * Chunks are gathered into Blobs of this size: the browser may keep large Blobs
 * outside the JavaScript heap (Chromium pages them to disk), which thousands of
 * 16 KiB arrays would not allow.
 */
const BLOB_PART_BYTES = 4 * 1024 * 1024;

export class MemoryFileSink implements FileSink {
  readonly kind = 'memory';
  private parts: Blob[] = [];
  /**
   * Chunks are copied into this one buffer until it holds a Blob part, so the chunks
   * themselves are free at once (the checksum takes them over) and no memory is
   * fresh per part: the Blob constructor copies the bytes it is given.
   */
  private staging: Bytes | undefined;
  private staged = 0;
  private readonly type: string;

  /**
   * `announcedType` is only kept for previewable images; anything else becomes opaque
   * bytes. `announcedSize` only sizes the gathering buffer (small files, small buffer).
   */
  constructor(announcedType: string, private readonly announcedSize = BLOB_PART_BYTES) {
    this.type = localFileType(announcedType);
  }

  async write(bytes: Bytes): Promise<void> {
    for (let at = 0; at < bytes.length; ) {
      const staging = (this.staging ??= new Uint8Array(Math.max(1, Math.min(BLOB_PART_BYTES, this.announcedSize))));
      const taken = Math.min(bytes.length - at, staging.length - this.staged);
      staging.set(bytes.subarray(at, at + taken), this.staged);
      this.staged += taken;
      at += taken;
      if (this.staged === staging.length) this.flush();
    }
  }

  async close(): Promise<Blob> {
    this.flush();
    this.staging = undefined;
    const file = new Blob(this.parts, { type: this.type });
    this.parts = [];
    return file;
  }

  async abort(): Promise<void> {
    this.parts = [];
    this.staging = undefined;
    this.staged = 0;
  }

  private flush(): void {
    if (!this.staging || this.staged === 0) return;
    this.parts.push(new Blob([this.staging.subarray(0, this.staged)]));
    this.staged = 0;
  }
}

/** The writable side of a file chosen with showSaveFilePicker(). */
interface WritableFile {
  write(data: Bytes): Promise<void>;
  close(): Promise<void>;
  abort(): Promise<void>;
}

interface SaveFilePickerWindow {
  showSaveFilePicker?: (options: { suggestedName?: string }) => Promise<{ createWritable(): Promise<WritableFile> }>;
}

/**
 * Writes to a file on disk as data arrives. The browser writes to a temporary file
 * and only puts it in place on close(), so an aborted or corrupt transfer leaves
 * nothing behind under the chosen name.
 */
export class DiskFileSink implements FileSink {
  readonly kind = 'disk';

  private constructor(private readonly writable: WritableFile) {}

  static supported(scope: object = globalThis): boolean {
    return typeof (scope as SaveFilePickerWindow).showSaveFilePicker === 'function';
  }

  /**
   * Asks the person where to save (needs a user gesture, e.g. the Accept click).
   * Resolves undefined if they dismiss the dialog.
   */
  static async choose(suggestedName: string, scope: object = globalThis): Promise<DiskFileSink | undefined> {
    const picker = (scope as SaveFilePickerWindow).showSaveFilePicker;
    if (!picker) return undefined;
    let handle;
    try {
      handle = await picker.call(scope, { suggestedName });
    } catch (error) {
      if (error instanceof DOMException && error.name === 'AbortError') return undefined;
      throw new DuetError('file-write-failed', 'save dialog failed', { cause: error });
    }
    try {
      return new DiskFileSink(await handle.createWritable());
    } catch (error) {
      throw new DuetError('file-write-failed', 'cannot open the file for writing', { cause: error });
    }
  }

  async write(bytes: Bytes): Promise<void> {
    try {
      await this.writable.write(bytes);
    } catch (error) {
      throw new DuetError('file-write-failed', 'write failed', { cause: error });
    }
  }

  async close(): Promise<undefined> {
    try {
      await this.writable.close();
    } catch (error) {
      throw new DuetError('file-write-failed', 'close failed', { cause: error });
    }
    return undefined;
  }

  async abort(): Promise<void> {
    await this.writable.abort().catch(() => {});
  }
}
