/**
 * The whole-file SHA-256 in a Web Worker, so hashing (the costliest step of a
 * transfer after the network) runs beside the encryption and the data channel
 * rather than taking turns with them on the main thread. Falls back to hashing
 * on the main thread where workers cannot start.
 */
import { DuetError } from '../core/errors.ts';
import type { StreamingChecksum } from '../core/files.ts';

export async function workerChecksum(): Promise<StreamingChecksum> {
  let worker: Worker;
  try {
    worker = new Worker(new URL('./checksum.worker.ts', import.meta.url), { type: 'module' });
  } catch {
    // Loaded only then, so the hash code stays out of the first page load.
    const { inlineChecksum } = await import('../core/file-checksum.ts');
    return inlineChecksum();
  }
  let failure: DuetError | undefined;
  worker.addEventListener('error', () => {
    failure = new DuetError('file-corrupt', 'the checksum worker failed');
  });
  return {
    // The buffer goes to the worker without a copy (the caller is done with it); one
    // that cannot be transferred (shared memory) is copied instead.
    consume: (bytes) => worker.postMessage(bytes, bytes.buffer instanceof ArrayBuffer ? [bytes.buffer] : []),
    digestHex: () =>
      new Promise<string>((resolve, reject) => {
        if (failure) {
          worker.terminate();
          reject(failure);
          return;
        }
        worker.addEventListener('message', (event: MessageEvent<unknown>) => {
          worker.terminate();
          if (typeof event.data === 'string') resolve(event.data);
          else reject(new DuetError('file-corrupt', 'the checksum worker answered nonsense'));
        });
        worker.addEventListener('error', () => {
          worker.terminate();
          reject(new DuetError('file-corrupt', 'the checksum worker failed'));
        });
        worker.postMessage('digest');
      }),
    dispose: () => worker.terminate(),
  };
}
