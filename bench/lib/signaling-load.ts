/**
 * The signaling server under load, on loopback: the real server in a child process
 * (so its RSS is its own), idle rooms of two sockets opened by several load-client
 * processes, then relay latency at a fixed message rate with those rooms still open.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { LoadClientReport, LoadClientTask } from '../signaling/load-client.ts';
import type { ServerChildReport, ServerChildRequest } from '../signaling/server-child.ts';
import type { ServerLimits } from '../../signaling/limits.ts';
import { type Summary, median, percentile, summarize } from './stats.ts';

export interface SignalingLoadOptions {
  root: string;
  targetRooms: number;
  relayRooms: number;
  relayRate: number;
  relayWarmupMs: number;
  relayDurationMs: number;
  /** Separate relay runs (each with fresh rooms); the figure is the median of their p99s. */
  relayRuns: number;
  /** A typical sealed ICE candidate is a few hundred characters, an SDP about 1.5 K. */
  relayPayloadChars: number;
  loadProcesses: number;
  /** Extra server limits (the default heartbeat, rate limits etc. apply otherwise). */
  serverLimits?: Partial<ServerLimits>;
  log: (line: string) => void;
}

export interface SignalingLoadResult {
  openFilesLimit: number;
  targetRooms: number;
  /** Fewer than targetRooms when the open-files limit does not allow two sockets per room. */
  idleRooms: number;
  idleSockets: number;
  setupFailures: number;
  setupSeconds: number;
  memory: {
    /** The server listening, with no rooms yet. */
    emptyRssBytes: number;
    /** With the idle rooms, as found (VmRSS). */
    loadedRssBytes: number;
    /** With the idle rooms, after garbage collection. */
    loadedRssAfterGcBytes: number;
    /** Peak RSS of the server process over the whole test (VmHWM). */
    peakRssBytes: number;
    heapUsedBytes: number;
    /** (loaded − empty) / rooms. */
    bytesPerRoom: number;
    /** empty + bytesPerRoom × targetRooms: equals the measurement when all target rooms fit. */
    projectedRssBytes: number;
  };
  relay: {
    rooms: number;
    rate: number;
    durationMs: number;
    payloadChars: number;
    sent: number;
    received: number;
    /** Every run's latencies together. */
    latencyMs: Summary;
    /** Each run's p99; their median is the figure. */
    runP99Ms: number[];
    medianRunP99Ms: number;
    serverErrors: Record<string, number>;
    /** Server RSS right after the relay test. */
    rssAfterBytes: number;
  };
}

/** The soft limit on open files: each server-side socket is a file descriptor. */
export function openFilesLimit(): number {
  try {
    const limits = readFileSync('/proc/self/limits', 'utf8');
    const soft = /^Max open files\s+(\d+|unlimited)/m.exec(limits)?.[1];
    if (soft && soft !== 'unlimited') return Number(soft);
  } catch {
    // not Linux
  }
  return Number.POSITIVE_INFINITY;
}

function procStatus(pid: number): { rss: number; hwm: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN) * 1024;
  return { rss: kib('VmRSS'), hwm: kib('VmHWM') };
}

function tsxChild(root: string, script: string, env: NodeJS.ProcessEnv, extraNodeArgs: string[] = []): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', ...extraNodeArgs, path.join(root, script)], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
}

/** Waits for the first IPC message `accept` returns a value for; rejects if the child exits first or after timeoutMs. */
function nextReport<M, T>(child: ChildProcess, accept: (message: M) => T | undefined, timeoutMs: number, what: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => finish(() => reject(new Error(`timed out waiting for ${what}`))), timeoutMs);
    const onMessage = (message: M) => {
      let value: T | undefined;
      try {
        value = accept(message);
      } catch (error) {
        finish(() => reject(error instanceof Error ? error : new Error(String(error))));
        return;
      }
      if (value !== undefined) finish(() => resolve(value));
    };
    const onExit = (code: number | null) => finish(() => reject(new Error(`${what}: the process exited (${code})`)));
    const finish = (settle: () => void) => {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
      settle();
    };
    child.on('message', onMessage);
    child.on('exit', onExit);
  });
}

export async function runSignalingLoad(options: SignalingLoadOptions): Promise<SignalingLoadResult> {
  const { root, log } = options;
  const fileLimit = openFilesLimit();
  // Every socket is a descriptor in the server: keep room for the relay test's rooms and the process itself.
  const reserve = 2 * options.relayRooms + 256;
  const idleRooms = Math.max(0, Math.min(options.targetRooms, Math.floor((fileLimit - reserve) / 2)));
  if (idleRooms < options.targetRooms) {
    log(`open-files limit ${fileLimit}: the server can hold ${idleRooms} idle rooms, not ${options.targetRooms}; the rest is projected`);
  }
  const limits: Partial<ServerLimits> = {
    ...options.serverLimits,
    // All load comes from a few loopback addresses.
    maxConnectionsPerIp: 2 * options.targetRooms + 2 * options.relayRooms,
  };
  const children: ChildProcess[] = [];
  const server = tsxChild(root, 'bench/signaling/server-child.ts', { BENCH_SERVER_LIMITS: JSON.stringify(limits) }, ['--expose-gc']);
  children.push(server);
  try {
    const listening = await nextReport<ServerChildReport, Extract<ServerChildReport, { type: 'listening' }>>(
      server,
      (m) => (m.type === 'listening' ? m : undefined),
      30_000,
      'the signaling server',
    );
    const url = `ws://127.0.0.1:${listening.port}/ws`;
    const memory = async (collectGarbage: boolean) => {
      const request: ServerChildRequest = { type: 'memory', collectGarbage };
      server.send(request);
      return nextReport<ServerChildReport, Extract<ServerChildReport, { type: 'memory' }>>(server, (m) => (m.type === 'memory' ? m : undefined), 10_000, 'memory');
    };
    const empty = await memory(false);

    // Idle rooms, spread over several processes and loopback addresses.
    const perProcess = Math.ceil(idleRooms / options.loadProcesses);
    const started = performance.now();
    const loaders = Array.from({ length: options.loadProcesses }, (_, i) => {
      const task: LoadClientTask = {
        mode: 'idle',
        url,
        localAddress: `127.0.0.${2 + i}`,
        rooms: Math.max(0, Math.min(perProcess, idleRooms - i * perProcess)),
        concurrency: 50,
      };
      const child = tsxChild(root, 'bench/signaling/load-client.ts', { BENCH_LOAD_TASK: JSON.stringify(task) });
      children.push(child);
      return child;
    });
    const progress = new Array<number>(loaders.length).fill(0);
    const ticker = setInterval(() => log(`  idle rooms open: ${progress.reduce((a, b) => a + b, 0)} / ${idleRooms}`), 3000);
    const ready = await Promise.all(
      loaders.map((child, i) =>
        nextReport<LoadClientReport, Extract<LoadClientReport, { type: 'ready' }>>(
          child,
          (m) => {
            if (m.type === 'progress') progress[i] = m.rooms;
            if (m.type === 'failed') throw new Error(m.error);
            return m.type === 'ready' ? m : undefined;
          },
          240_000,
          'idle rooms',
        ),
      ),
    ).finally(() => clearInterval(ticker));
    const opened = ready.reduce((sum, r) => sum + r.rooms, 0);
    const failures = ready.reduce((sum, r) => sum + r.failures, 0);
    const setupSeconds = (performance.now() - started) / 1000;
    log(`  ${opened} idle rooms (${2 * opened} sockets) open in ${setupSeconds.toFixed(1)} s, ${failures} failed`);
    // Let the server settle (buffers released, timers idle) before reading its memory.
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const loadedRss = procStatus(server.pid!).rss;
    const loaded = await memory(true);

    log(`  relay: ${options.relayRate} signals/s over ${options.relayRooms} more rooms, ${options.relayRuns} × ${options.relayDurationMs / 1000} s`);
    const relayTask: LoadClientTask = {
      mode: 'relay',
      url,
      localAddress: '127.0.0.1',
      rooms: options.relayRooms,
      rate: options.relayRate,
      warmupMs: options.relayWarmupMs,
      durationMs: options.relayDurationMs,
      payloadChars: options.relayPayloadChars,
    };
    const relayRuns: Extract<LoadClientReport, { type: 'relay' }>[] = [];
    for (let run = 0; run < options.relayRuns; run++) {
      const relayClient = tsxChild(root, 'bench/signaling/load-client.ts', { BENCH_LOAD_TASK: JSON.stringify(relayTask) });
      children.push(relayClient);
      const relay = await nextReport<LoadClientReport, Extract<LoadClientReport, { type: 'relay' }>>(
        relayClient,
        (m) => {
          if (m.type === 'failed') throw new Error(m.error);
          return m.type === 'relay' ? m : undefined;
        },
        options.relayWarmupMs + options.relayDurationMs + 60_000,
        'the relay test',
      );
      relayRuns.push(relay);
      // Its sockets close with it, which frees the server's descriptors for the next run.
      relayClient.send({ type: 'stop' });
      await new Promise((resolve) => relayClient.once('exit', resolve));
      log(`    run ${run + 1}: p99 ${percentile(relay.latenciesMs, 99).toFixed(2)} ms`);
    }
    const after = procStatus(server.pid!);

    const bytesPerRoom = opened > 0 ? (loadedRss - empty.rssBytes) / opened : Number.NaN;
    return {
      openFilesLimit: fileLimit,
      targetRooms: options.targetRooms,
      idleRooms: opened,
      idleSockets: 2 * opened,
      setupFailures: failures,
      setupSeconds,
      memory: {
        emptyRssBytes: empty.rssBytes,
        loadedRssBytes: loadedRss,
        loadedRssAfterGcBytes: loaded.rssBytes,
        peakRssBytes: after.hwm,
        heapUsedBytes: loaded.heapUsedBytes,
        bytesPerRoom,
        projectedRssBytes: empty.rssBytes + bytesPerRoom * options.targetRooms,
      },
      relay: {
        rooms: options.relayRooms,
        rate: options.relayRate,
        durationMs: options.relayDurationMs,
        payloadChars: options.relayPayloadChars,
        sent: relayRuns.reduce((sum, r) => sum + r.sent, 0),
        received: relayRuns.reduce((sum, r) => sum + r.received, 0),
        latencyMs: summarize(relayRuns.flatMap((r) => r.latenciesMs)),
        runP99Ms: relayRuns.map((r) => percentile(r.latenciesMs, 99)),
        medianRunP99Ms: median(relayRuns.map((r) => percentile(r.latenciesMs, 99))),
        serverErrors: Object.fromEntries(
          [...new Set(relayRuns.flatMap((r) => Object.keys(r.serverErrors)))].map((code) => [code, relayRuns.reduce((sum, r) => sum + (r.serverErrors[code] ?? 0), 0)]),
        ),
        rssAfterBytes: after.rss,
      },
    };
  } finally {
    for (const child of children.reverse()) {
      if (child.exitCode === null && child.connected) child.send({ type: 'stop' });
    }
    await Promise.all(
      children.map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null) return resolve();
            const kill = setTimeout(() => child.kill('SIGKILL'), 5000);
            child.once('exit', () => {
              clearTimeout(kill);
              resolve();
            });
          }),
      ),
    );
  }
}
