/**
 * The report's later parts (#20): the UI path against its lower bound, a file against
 * binary records at the same chunk size, and a part measured alone merged into a full
 * run's results without touching the other figures.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { mergePart } from '../../../bench/lib/parts.ts';
import { HAND_WRITTEN_END, HAND_WRITTEN_START, renderMarkdown } from '../../../bench/lib/report-markdown.ts';
import { type BenchResults, composeFigures } from '../../../bench/lib/report.ts';
import type { UiPathResults } from '../../../bench/lib/ui-path.ts';

/** The last run's results as a full run left them (without parts merged since). */
const saved = { ...(JSON.parse(readFileSync(new URL('../../../bench/results/latest.json', import.meta.url), 'utf8')) as BenchResults), partRuns: undefined };
const section = [HAND_WRITTEN_START, '## Investigations', HAND_WRITTEN_END].join('\n');
const summary = (median: number) => ({ n: 100, median, p95: median * 2, p99: median * 3, min: median / 2, max: median * 4 });

function uiPath(totalMs: number): UiPathResults {
  return {
    totalMs: summary(totalMs),
    segmentsMs: { click: summary(1), seal: summary(0.2), channel: summary(0.5), open: summary(0.2), render: summary(1) },
    toFrameMs: summary(5),
    bound: { rawOneWayMs: summary(0.4), sealMs: summary(0.05), openMs: summary(0.05), pathSealCryptoMs: summary(0.1), pathOpenCryptoMs: summary(0.1) },
    lowerBoundMs: 0.5,
  };
}

const run = { part: 'ui-path' as const, timestamp: '2026-12-07T14:00:00.000Z', commit: 'abc1234', durationSeconds: 30, loadAverage: [1.5, 2.5] as [number, number] };

describe('a part measured alone (--only=<part> --merge)', () => {
  it('replaces only its own results, recomputes the figures and is named in the report with its load', () => {
    const merged = mergePart(saved, { uiPath: uiPath(0.7) }, run);
    expect(merged.details.browser.longChat).toEqual(saved.details.browser.longChat);
    expect(merged.details.browser.roundTripMs).toEqual(saved.details.browser.roundTripMs);
    expect(merged.figures.find((figure) => figure.id === 'ui-path-p50')).toMatchObject({ value: 0.7, baseline: 0.5, met: true });
    expect(merged.figures.find((figure) => figure.id === 'rtt-p50')).toEqual(saved.figures.find((figure) => figure.id === 'rtt-p50'));
    const document = renderMarkdown(merged, section);
    expect(document).toContain('- ui-path: 2026-12-07 14:00 UTC, commit abc1234, 30 s, load 1.50 / 2.50');
    expect(document).toContain("### UI path: Send → peer's log (ms)");
  });

  it('a part merged again replaces its earlier run, and keeps the other parts\' runs', () => {
    const once = mergePart(saved, { uiPath: uiPath(0.7) }, run);
    const longChat = mergePart(once, { longChat: saved.details.browser.longChat }, { ...run, part: 'long-chat' });
    const again = mergePart(longChat, { uiPath: uiPath(2) }, { ...run, timestamp: '2026-12-07T15:00:00.000Z' });
    expect(again.partRuns?.map((part) => [part.part, part.timestamp])).toEqual([
      ['long-chat', '2026-12-07T14:00:00.000Z'],
      ['ui-path', '2026-12-07T15:00:00.000Z'],
    ]);
    expect(again.figures.find((figure) => figure.id === 'ui-path-p50')).toMatchObject({ value: 2, ratio: 4, met: false });
  });
});

describe('a file against binary records at the same chunk size', () => {
  it('compares the file with 16 KiB records (not the raw channel) against 0.9×, and explains a miss from the CPU use', () => {
    const records = saved.details.browser.throughput['16 KiB']!.records!;
    const file = saved.details.browser.fileTransfer!;
    const results = { ...saved, figures: composeFigures(saved) };
    const figure = results.figures.find((f) => f.id === 'file-vs-records');
    expect(figure).toMatchObject({ value: file.median, baseline: records.median, ratio: file.median / records.median, met: file.median / records.median >= 0.9 });
    const document = renderMarkdown(results, section);
    if (!figure!.met) expect(document).toContain('**A file against binary records at 16 KiB');
  });
});

describe('bytes on the wire for a first and a second visit', () => {
  const file = (path: string, brBytes: number, byServiceWorker: boolean, status = 200) => ({ path, status, byServiceWorker, brBytes, browserBytes: brBytes, contentEncoding: 'br' });
  const visits = {
    first: {
      files: [file('/', 1000, false), file('/assets/index.js', 45_000, false), file('/sw.js', 1000, true), file('/assets/unhomoglyph.js', 39_000, true)],
      brBytes: 86_000,
      browserBytes: 86_000,
    },
    second: { files: [file('/', 300, true, 304)], brBytes: 300, browserBytes: 300 },
  };

  it('counts everything against 60 kB, the page alone as context, and the second visit against 2 kB', () => {
    const merged = mergePart(saved, { firstVisit: visits }, { ...run, part: 'first-visit' });
    const byId = new Map(merged.figures.map((figure) => [figure.id, figure]));
    expect(byId.get('first-visit-bytes')).toMatchObject({ value: 86_000, met: false });
    // The page, its service worker script, not the worker's offline copy of the shell.
    expect(byId.get('first-visit-page-bytes')).toMatchObject({ value: 47_000, target: 'context' });
    expect(byId.get('second-visit-bytes')).toMatchObject({ value: 300, met: true, display: '0.3 kB (304 /)' });
    const document = renderMarkdown(merged, section);
    expect(document).toContain('the largest unhomoglyph.js 39.0 kB');
    expect(document).toContain('| second | / | 304 | service worker | br | 300 | 300 |');
    expect(document).not.toContain('through a secure chat');
  });

  it('shows a first visit through a secure chat, for each person, as context, with what they fetched beyond the lobby', () => {
    const host = [...visits.first.files, file('/assets/peer-link.js', 17_000, true), file('/assets/qr.js', 8_000, true)];
    const guest = [file('/', 1000, false), file('/assets/index.js', 45_000, false), file('/assets/peer-link.js', 17_000, false)];
    const throughChat = {
      host: { files: host, brBytes: 111_000, browserBytes: 111_000 },
      guest: { files: guest, brBytes: 63_000, browserBytes: 63_000 },
    };
    const merged = mergePart(saved, { firstVisit: { ...visits, throughChat } }, { ...run, part: 'first-visit' });
    const byId = new Map(merged.figures.map((figure) => [figure.id, figure]));
    expect(byId.get('first-visit-chat-bytes')).toMatchObject({ value: 111_000, target: 'context', display: '111.0 kB (6 requests)' });
    expect(byId.get('first-visit-chat-guest-bytes')).toMatchObject({ value: 63_000, target: 'context' });
    const document = renderMarkdown(merged, section);
    expect(document).toContain('111.0 kB for the one who creates the room (beyond the lobby\'s files:\npeer-link.js 17.0 kB, qr.js 8.0 kB)');
    expect(document).toContain('| first, joining by the link until secure | /assets/peer-link.js | 200 | page | br | 17000 | 17000 |');
  });
});
