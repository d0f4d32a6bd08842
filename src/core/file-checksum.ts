/**
 * The whole-file SHA-256 of a transfer, in its own module so the hash code loads
 * only when the first file does.
 */
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';
import { toHex } from './bytes.ts';
import type { StreamingChecksum } from './files.ts';

/**
 * The whole-file SHA-256, computed as the data streams past (sender while reading,
 * receiver while writing). WebCrypto's digest() takes the whole input at once,
 * which a 1 GiB file cannot be; see docs/adr/0006-streaming-file-checksum.md.
 */
export class FileChecksum {
  private readonly hash = nobleSha256.create();

  update(bytes: Uint8Array): void {
    this.hash.update(bytes);
  }

  /** Lower-case hex, as `sha256sum` prints it. */
  digestHex(): string {
    return toHex(this.hash.digest());
  }
}

/** The checksum computed on this thread. */
export function inlineChecksum(): StreamingChecksum {
  const checksum = new FileChecksum();
  return {
    consume: (bytes) => checksum.update(bytes),
    digestHex: async () => checksum.digestHex(),
    dispose: () => {},
  };
}
