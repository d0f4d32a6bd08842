/**
 * The pool of reused buffers behind sealed records and file-chunk plaintexts: it
 * hands a buffer given back to one later taker only, and keeps only what it may.
 */
import { describe, expect, it } from 'vitest';
import { BufferPool } from '../../../src/core/buffer-pool.ts';

describe('BufferPool', () => {
  it('gives a returned buffer to the next array of a similar size, exactly as long as asked', () => {
    const pool = new BufferPool();
    const first = pool.take(20_000);
    expect(first.length).toBe(20_000);
    pool.give(first);
    const second = pool.take(19_000);
    expect(second.buffer).toBe(first.buffer);
    expect(second.length).toBe(19_000);
    // Not given back: the next taker gets a buffer of its own.
    expect(pool.take(20_000).buffer).not.toBe(first.buffer);
  });

  it('keeps a buffer given back twice once, so no two takers share it', () => {
    const pool = new BufferPool();
    const array = pool.take(8192);
    pool.give(array);
    pool.give(array);
    const a = pool.take(8192);
    const b = pool.take(8192);
    expect(a.buffer).toBe(array.buffer);
    expect(b.buffer).not.toBe(array.buffer);
  });

  it('ignores small arrays, views into other buffers, and more spares than it may keep', () => {
    const pool = new BufferPool();
    const small = pool.take(100);
    pool.give(small);
    expect(pool.take(100).buffer).not.toBe(small.buffer);

    const foreign = new Uint8Array(new ArrayBuffer(16_384), 4096);
    pool.give(foreign);
    expect(pool.take(12_288).buffer).not.toBe(foreign.buffer);

    // 8 MiB of spares at most: of three 4 MiB buffers, two are kept.
    const big = [pool.take(4 << 20), pool.take(4 << 20), pool.take(4 << 20)];
    for (const array of big) pool.give(array);
    const again = [pool.take(4 << 20), pool.take(4 << 20), pool.take(4 << 20)];
    expect(again.filter((array) => big.some((b) => b.buffer === array.buffer))).toHaveLength(2);
  });
});
