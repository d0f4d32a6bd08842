/**
 * CPU time used by the browser during a measurement, read from Linux's /proc: every
 * Chromium process started under this Node process (browser, renderers, network
 * service, GPU), of which the renderers' main threads (the pages' JavaScript), and
 * how idle the whole machine was. It tells whether a throughput figure was limited by
 * CPU, and how much CPU each byte cost a pipe. Elsewhere than Linux it reads nothing.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';

export interface CpuSample {
  /** CPU time of all Chromium processes below this one, ms. */
  chromiumMs: number;
  /** Of which the renderer processes' main threads, ms. */
  pageMainThreadsMs: number;
  /** The machine's idle and total time (all cores), in clock ticks. */
  machineIdleTicks: number;
  machineTotalTicks: number;
}

export interface CpuUse {
  chromiumMs: number;
  pageMainThreadsMs: number;
  /** Share of the machine's CPU time (all cores) that was idle, 0–1. */
  machineIdle: number;
}

const CHROMIUM_COMMAND = /chrom|headless_shell/;
let ticksPerSecond: number | undefined;

function clockTicksPerSecond(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

/** A /proc stat line's fields after the command name, which may itself contain spaces and parentheses. */
function statFields(file: string): { command: string; fields: string[] } | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined; // the process or thread ended meanwhile
  }
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  return { command: text.slice(open + 1, close), fields: text.slice(close + 2).trim().split(' ') };
}

/** utime + stime, in clock ticks (fields 14 and 15 of proc(5), here at 11 and 12 after the command). */
const cpuTicks = (fields: string[]) => Number(fields[11]) + Number(fields[12]);

export function sampleCpu(): CpuSample | undefined {
  if (!existsSync('/proc/stat')) return undefined;
  const processes = new Map<number, { parent: number; command: string; ticks: number }>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = statFields(`/proc/${entry}/stat`);
    if (stat) processes.set(Number(entry), { parent: Number(stat.fields[1]), command: stat.command, ticks: cpuTicks(stat.fields) });
  }
  const below = (pid: number) => {
    for (let at = processes.get(pid)?.parent; at !== undefined && at > 1; at = processes.get(at)?.parent) {
      if (at === process.pid) return true;
    }
    return false;
  };
  let chromiumTicks = 0;
  let mainThreadTicks = 0;
  for (const [pid, info] of processes) {
    if (!CHROMIUM_COMMAND.test(info.command) || !below(pid)) continue;
    chromiumTicks += info.ticks;
    let commandLine = '';
    try {
      commandLine = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    } catch {
      continue;
    }
    if (!commandLine.includes('--type=renderer')) continue;
    // A process's main thread is the task whose id is the process id.
    const main = statFields(`/proc/${pid}/task/${pid}/stat`);
    if (main) mainThreadTicks += cpuTicks(main.fields);
  }
  const machine = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const toMs = 1000 / clockTicksPerSecond();
  return {
    chromiumMs: chromiumTicks * toMs,
    pageMainThreadsMs: mainThreadTicks * toMs,
    // idle + iowait
    machineIdleTicks: machine[3]! + (machine[4] ?? 0),
    machineTotalTicks: machine.reduce((sum, value) => sum + value, 0),
  };
}

/** What was used between two samples (undefined where /proc cannot be read). */
export function cpuUsedBetween(before: CpuSample | undefined, after: CpuSample | undefined): CpuUse | undefined {
  if (!before || !after) return undefined;
  const total = after.machineTotalTicks - before.machineTotalTicks;
  return {
    chromiumMs: after.chromiumMs - before.chromiumMs,
    pageMainThreadsMs: after.pageMainThreadsMs - before.pageMainThreadsMs,
    machineIdle: total > 0 ? (after.machineIdleTicks - before.machineIdleTicks) / total : 0,
  };
}
