/**
 * One part of the browser bench on its own (`npm run bench -- --only=<part>`), for work
 * on one figure without the ~15 minutes of a full run. With `--merge` its results
 * replace that part's in bench/results/latest.json and docs/PERFORMANCE.md is
 * rewritten from it: the other figures stay as the full run measured them, and the
 * report names each part re-run alone, with its date, commit and load average.
 */
import os from 'node:os';
import { type Browser, chromium } from '@playwright/test';
import { CHROMIUM_ARGS, chromiumPath } from '../../scripts/chromium.ts';
import type { BrowserResults } from './browser-bench.ts';
import { chatDuringFile } from './chat-during-file.ts';
import { runFirstVisit } from './first-visit.ts';
import { runLongChat } from './long-chat.ts';
import { type BenchResults, composeFigures } from './report.ts';
import { runUiPath } from './ui-path.ts';

export const PART_NAMES = ['chat-during-file', 'long-chat', 'ui-path', 'first-visit'] as const;
export type PartName = (typeof PART_NAMES)[number];

export function isPartName(name: string): name is PartName {
  return (PART_NAMES as readonly string[]).includes(name);
}

/** A part measured alone and merged into a full run's results. */
export interface PartRun {
  part: PartName;
  timestamp: string;
  commit: string;
  durationSeconds: number;
  /** 1-minute load average when the part started and ended. */
  loadAverage: [number, number];
}

export interface PartOptions {
  appUrl: string;
  wsUrl: string;
  /** Where the bench pages are served (bench/.build). */
  pagesUrl: string;
  log: (line: string) => void;
  quick: boolean;
}

/** The results a part measures: the fields of BrowserResults it fills. */
export type PartResults = Partial<BrowserResults>;

async function measure(part: PartName, browser: Browser, options: PartOptions): Promise<PartResults> {
  const { appUrl, log, quick } = options;
  log(`Part ${part}…`);
  switch (part) {
    case 'chat-during-file':
      return { chatDuringFile: await chatDuringFile(browser, appUrl, log, quick ? 10 : 30) };
    case 'long-chat': {
      const messages = Number(process.env.BENCH_LONG_MESSAGES ?? (quick ? 1000 : 10_000));
      log(`A conversation of ${messages.toLocaleString('en-US')} messages through the app (composer → peer's log; heap)…`);
      return { longChat: await runLongChat(browser, { appUrl, messages, latencySamples: quick ? 20 : 100, log }) };
    }
    case 'first-visit':
      return { firstVisit: await runFirstVisit(browser, appUrl, log) };
    case 'ui-path':
      return { uiPath: await runUiPath(browser, { ...options, samples: quick ? 20 : 100 }) };
  }
}

export async function runPart(part: PartName, options: PartOptions): Promise<{ results: PartResults; run: PartRun; chromiumVersion: string }> {
  const loadAtStart = os.loadavg()[0]!;
  const started = performance.now();
  const executablePath = chromiumPath();
  const browser = await chromium.launch({ ...(executablePath ? { executablePath } : {}), args: CHROMIUM_ARGS });
  try {
    const results = await measure(part, browser, options);
    const run: PartRun = {
      part,
      timestamp: new Date().toISOString(),
      commit: '',
      durationSeconds: Math.round((performance.now() - started) / 1000),
      loadAverage: [loadAtStart, os.loadavg()[0]!],
    };
    return { results, run, chromiumVersion: browser.version() };
  } finally {
    await browser.close();
  }
}

/** `saved` with `part`'s results in place of its own, its figures recomputed and the part noted. */
export function mergePart(saved: BenchResults, results: PartResults, run: PartRun): BenchResults {
  const merged: BenchResults = {
    ...saved,
    details: { ...saved.details, browser: { ...saved.details.browser, ...results } },
    partRuns: [...(saved.partRuns ?? []).filter((other) => other.part !== run.part), run],
  };
  return { ...merged, figures: composeFigures(merged) };
}
