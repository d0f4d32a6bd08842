import { mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DiskFileSink, fileSourceFromPath } from '../../../src/cli/node-files.ts';
import type { Bytes } from '../../../src/core/bytes.ts';

const bytes = (text: string) => new TextEncoder().encode(text) as Bytes;

describe('terminal files', () => {
  it('writes a received file under its sanitised name only once it is closed, never over an existing file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'duet-sink-'));
    await writeFile(join(dir, 'notes.txt'), 'already here');
    const sink = new DiskFileSink(dir, '../../etc/notes.txt', 'abc/..');
    await sink.write(bytes('hello '));
    await sink.write(bytes('world'));
    expect((await readdir(dir)).sort()).toEqual(['.duet-abc.part', 'notes.txt']);
    await sink.close();
    expect(sink.savedPath).toBe(join(dir, 'notes (1).txt'));
    expect(await readFile(join(dir, 'notes (1).txt'), 'utf8')).toBe('hello world');
    expect(await readFile(join(dir, 'notes.txt'), 'utf8')).toBe('already here');
    expect(await readdir(dir)).not.toContain('.duet-abc.part');
  });

  it('leaves nothing behind when a transfer is aborted', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'duet-sink-'));
    const sink = new DiskFileSink(dir, 'secret.bin', 't1');
    await sink.write(bytes('partial'));
    await sink.abort();
    expect(await readdir(dir)).toEqual([]);
  });

  it('offers a file from disk by its name and size, read as it is sliced', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'duet-source-'));
    await writeFile(join(dir, 'plan.txt'), 'abcdef');
    const source = await fileSourceFromPath(join(dir, 'plan.txt'));
    expect(source).toMatchObject({ name: 'plan.txt', size: 6 });
    expect(await source.slice(2, 4).text()).toBe('cd');
    await expect(fileSourceFromPath(dir)).rejects.toThrow();
  });
});
