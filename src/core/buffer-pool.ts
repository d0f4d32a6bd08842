/**
 * Spare buffers for the large byte arrays the data path makes by the thousand: sealed
 * records, and the plaintext of file chunks. On the bench machine a fresh buffer cost
 * more than copying into it, because new memory is touched page by page (see
 * docs/PERFORMANCE.md): a buffer given back once its bytes are used (sent, or read by
 * WebCrypto) serves a later one instead. Pure; no DOM, no network.
 */

/** Arrays smaller than this get a buffer of their own (touching a few fresh pages is cheap). */
const POOLED_MIN_BYTES = 4 * 1024;
/** Pooled buffers come in sizes rounded up to this, so arrays of similar size share them. */
const POOL_STEP_BYTES = 4 * 1024;
/** Spare buffers kept at most (in bytes, all sizes together): a bulk transfer's arrays in flight. */
const POOL_MAX_SPARE_BYTES = 8 * 1024 * 1024;

export class BufferPool {
  private readonly spare = new Map<number, Uint8Array<ArrayBuffer>[]>();
  /** The spare buffers, so one given back twice is kept once (never handed out twice). */
  private readonly spareBuffers = new Set<ArrayBuffer>();
  private spareBytes = 0;

  /** An array of `length` bytes, reused or new; its contents are unspecified. */
  take(length: number): Uint8Array<ArrayBuffer> {
    if (length < POOLED_MIN_BYTES) return new Uint8Array(length);
    const capacity = Math.ceil(length / POOL_STEP_BYTES) * POOL_STEP_BYTES;
    const buffer = this.spare.get(capacity)?.pop();
    if (!buffer) return new Uint8Array(capacity).subarray(0, length);
    this.spareBuffers.delete(buffer.buffer);
    this.spareBytes -= capacity;
    return buffer.subarray(0, length);
  }

  /**
   * Gives back an array from take() whose bytes nothing will read again. Anything
   * else (a small array, a view into someone else's buffer) is ignored, so giving
   * back is always safe for the pool; it is the caller's promise that nothing else
   * holds the array.
   */
  give(array: Uint8Array): void {
    const { buffer } = array;
    const capacity = buffer.byteLength;
    if (!(buffer instanceof ArrayBuffer) || array.byteOffset !== 0 || capacity < POOLED_MIN_BYTES || capacity % POOL_STEP_BYTES !== 0) return;
    if (this.spareBuffers.has(buffer) || this.spareBytes + capacity > POOL_MAX_SPARE_BYTES) return;
    this.spareBuffers.add(buffer);
    this.spareBytes += capacity;
    let list = this.spare.get(capacity);
    if (!list) this.spare.set(capacity, (list = []));
    list.push(new Uint8Array(buffer));
  }
}
