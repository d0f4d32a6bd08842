/**
 * Computes one file's SHA-256 off the main thread: receives the file's bytes in
 * order, answers "digest" with the hex digest. One worker per transfer.
 */
import { FileChecksum } from '../core/file-checksum.ts';

const checksum = new FileChecksum();

self.addEventListener('message', (event: MessageEvent<unknown>) => {
  if (event.data instanceof Uint8Array) checksum.update(event.data);
  else if (event.data === 'digest') self.postMessage(checksum.digestHex());
});
