/** Starts the signaling server in a child process with --expose-gc (server-process-main.ts) and reads its heap. */
import { type ChildProcess, fork } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import type { ServerLimits } from '../../../signaling/limits.ts';

export interface ServerProcess {
  port: number;
  wsUrl: string;
  /** The server's heapUsed after full garbage collection, and its room count. */
  heap(): Promise<{ heapUsed: number; rooms: number }>;
  rooms(): Promise<number>;
  stop(): Promise<void>;
}

export async function startServerProcess(limits: Partial<ServerLimits> = {}): Promise<ServerProcess> {
  const child: ChildProcess = fork(fileURLToPath(new URL('./server-process-main.ts', import.meta.url)), [JSON.stringify(limits)], {
    execArgv: ['--expose-gc', '--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const [ready] = (await Promise.race([
    once(child, 'message'),
    once(child, 'exit').then(([code]) => Promise.reject(new Error(`the server process exited (${String(code)})`))),
  ])) as [{ type: 'ready'; port: number; wsUrl: string }];
  const reply = <T>(type: string): Promise<T> =>
    new Promise((resolve) => {
      const listener = (message: { type?: string }) => {
        if (message.type !== type) return;
        child.off('message', listener);
        resolve(message as T);
      };
      child.on('message', listener);
      child.send({ type });
    });
  return {
    port: ready.port,
    wsUrl: ready.wsUrl,
    heap: () => reply<{ heapUsed: number; rooms: number }>('heap'),
    rooms: () => reply<{ rooms: number }>('rooms').then((r) => r.rooms),
    async stop() {
      if (child.exitCode !== null) return;
      const exited = once(child, 'exit');
      child.send({ type: 'stop' });
      await exited;
    },
  };
}
