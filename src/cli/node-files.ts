/**
 * Files in the terminal: a file on disk offered to the peer (Node's Blob over the
 * file, read as it is sent), and a sink that writes a received file into the
 * downloads directory. The bytes go to a hidden ".part" file first and get the
 * file's (sanitised) name only once the session has checked its SHA-256, so a
 * cancelled or corrupt transfer never leaves a file that looks complete.
 */
import { openAsBlob } from 'node:fs';
import { type FileHandle, open, rename, rm, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { Bytes } from '../core/bytes.ts';
import { DuetError } from '../core/errors.ts';
import { sanitiseFileName } from '../core/files.ts';
import type { FileSink, FileSource } from '../session/view.ts';

export async function fileSourceFromPath(path: string): Promise<FileSource> {
  const info = await stat(path);
  if (!info.isFile()) throw new Error(`${path} is not a file`);
  const blob = await openAsBlob(path);
  return { name: sanitiseFileName(basename(path)), size: blob.size, type: '', slice: (start, end) => blob.slice(start, end) };
}

/** "report.pdf", else "report (1).pdf", "report (2).pdf"…: never overwrites a file. */
async function freeName(directory: string, name: string): Promise<string> {
  const dot = name.lastIndexOf('.');
  const [stem, extension] = dot > 0 ? [name.slice(0, dot), name.slice(dot)] : [name, ''];
  for (let n = 0; ; n++) {
    const candidate = join(directory, n === 0 ? name : `${stem} (${n})${extension}`);
    try {
      await stat(candidate);
    } catch {
      return candidate;
    }
  }
}

export class DiskFileSink implements FileSink {
  readonly kind = 'disk';
  /** Where the file ended up, once closed. */
  savedPath: string | undefined;
  private handle: Promise<FileHandle> | undefined;
  private readonly partPath: string;

  constructor(private readonly directory: string, private readonly announcedName: string, transferId: string) {
    this.partPath = join(directory, `.duet-${transferId.replace(/[^A-Za-z0-9_-]/g, '')}.part`);
  }

  private file(): Promise<FileHandle> {
    // 'wx': a fresh file only, never through an existing one (or a link planted there).
    this.handle ??= open(this.partPath, 'wx', 0o600).catch((error: unknown) => {
      throw new DuetError('file-write-failed', this.partPath, { cause: error });
    });
    return this.handle;
  }

  async write(bytes: Bytes): Promise<void> {
    const file = await this.file();
    try {
      await file.write(bytes);
    } catch (error) {
      throw new DuetError('file-write-failed', this.partPath, { cause: error });
    }
  }

  async close(): Promise<undefined> {
    const file = await this.file();
    await file.close();
    const target = await freeName(this.directory, sanitiseFileName(this.announcedName));
    await rename(this.partPath, target);
    this.savedPath = target;
    return undefined;
  }

  async abort(): Promise<void> {
    if (!this.handle) return;
    try {
      await (await this.handle).close();
    } catch {
      // already closed or never opened: only the removal matters
    }
    await rm(this.partPath, { force: true });
  }
}
