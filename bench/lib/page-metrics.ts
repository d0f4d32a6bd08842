/**
 * Where a page's main thread went during a measurement, from the Chrome DevTools
 * protocol's Performance domain (cumulative counters, read before and after): script,
 * style recalculation, layout and whole tasks, in ms, and how many layouts and style
 * recalculations there were. Cheap enough to read around every timed stretch, unlike
 * a trace, and exact for what it counts.
 */
import type { CDPSession, Page } from '@playwright/test';

export interface MainThreadUse {
  scriptMs: number;
  recalcStyleMs: number;
  layoutMs: number;
  taskMs: number;
  layouts: number;
  styleRecalcs: number;
}

const METRICS: Record<keyof MainThreadUse, { name: string; scale: number }> = {
  scriptMs: { name: 'ScriptDuration', scale: 1000 },
  recalcStyleMs: { name: 'RecalcStyleDuration', scale: 1000 },
  layoutMs: { name: 'LayoutDuration', scale: 1000 },
  taskMs: { name: 'TaskDuration', scale: 1000 },
  layouts: { name: 'LayoutCount', scale: 1 },
  styleRecalcs: { name: 'RecalcStyleCount', scale: 1 },
};

export class PageMetrics {
  private constructor(private readonly cdp: CDPSession) {}

  static async of(page: Page): Promise<PageMetrics> {
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Performance.enable');
    return new PageMetrics(cdp);
  }

  async read(): Promise<MainThreadUse> {
    const { metrics } = await this.cdp.send('Performance.getMetrics');
    const byName = new Map(metrics.map((metric) => [metric.name, metric.value]));
    return Object.fromEntries(Object.entries(METRICS).map(([key, { name, scale }]) => [key, (byName.get(name) ?? 0) * scale])) as unknown as MainThreadUse;
  }
}

/** Sums of several stretches' uses (e.g. every round's), to divide later. */
export function addUse(total: MainThreadUse | undefined, used: MainThreadUse): MainThreadUse {
  if (!total) return { ...used };
  return Object.fromEntries(Object.keys(used).map((key) => [key, total[key as keyof MainThreadUse] + used[key as keyof MainThreadUse]])) as unknown as MainThreadUse;
}

export function scaleUse(used: MainThreadUse, factor: number): MainThreadUse {
  return Object.fromEntries(Object.entries(used).map(([key, value]) => [key, value * factor])) as unknown as MainThreadUse;
}

/** What happened between two readings. */
export function subtractUse(after: MainThreadUse, before: MainThreadUse): MainThreadUse {
  return Object.fromEntries(Object.keys(after).map((key) => [key, after[key as keyof MainThreadUse] - before[key as keyof MainThreadUse]])) as unknown as MainThreadUse;
}
