/**
 * docs/PERFORMANCE.md keeps its hand-written section (what earlier sessions profiled and
 * tried) through every regeneration; the generated part around it comes from the results.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { HAND_WRITTEN_END, HAND_WRITTEN_START, handWrittenSection, renderMarkdown } from '../../../bench/lib/report-markdown.ts';
import { type BenchResults, composeFigures } from '../../../bench/lib/report.ts';

const saved = JSON.parse(readFileSync(new URL('../../../bench/results/latest.json', import.meta.url), 'utf8')) as BenchResults;
const section = [HAND_WRITTEN_START, '## Investigations', '', 'Tried and not kept: *a test sentence*.', HAND_WRITTEN_END].join('\n');

describe('handWrittenSection', () => {
  it('takes the section between the markers, markers included, and nothing around it', () => {
    expect(handWrittenSection(`# Performance\n\nGenerated.\n\n${section}\n\n## Details\n`)).toBe(section);
  });

  it('refuses a document without the section, naming the markers', () => {
    expect(() => handWrittenSection('# Performance\n\n## Details\n')).toThrow(HAND_WRITTEN_START);
    expect(() => handWrittenSection(`# Performance\n\n${HAND_WRITTEN_START}\nno end`)).toThrow(HAND_WRITTEN_END);
  });
});

describe('renderMarkdown', () => {
  it('puts the hand-written section, unchanged, between the findings and the details', () => {
    const document = renderMarkdown(saved, section);
    expect(document.split(section)).toHaveLength(2);
    const at = document.indexOf(section);
    expect(document.indexOf('## Findings')).toBeLessThan(at);
    expect(document.indexOf('## Details')).toBeGreaterThan(at);
  });

  it('regenerates its own output identically: the section read back is the section written', () => {
    const document = renderMarkdown(saved, section);
    expect(renderMarkdown(saved, handWrittenSection(document))).toBe(document);
  });

  it('matches docs/PERFORMANCE.md, which is generated from bench/results/latest.json', () => {
    const current = readFileSync(new URL('../../../docs/PERFORMANCE.md', import.meta.url), 'utf8');
    expect(renderMarkdown(saved, handWrittenSection(current))).toBe(current);
  });
});

describe('a long conversation (#20)', () => {
  const summary = (median: number, p99 = median * 2) => ({ n: 100, median, p95: p99, p99, min: median / 2, max: p99 });
  const withLongChat = (longMedian: number, heapGrowth: number): BenchResults => {
    const browser = {
      ...saved.details.browser,
      longChat: {
        messages: 10_000,
        latencySamples: 100,
        latencyMs: { fresh: summary(4), long: summary(longMedian) },
        perMessageMs: { fresh: summary(2), long: summary(2.2), first100: summary(2), last100: summary(2.1) },
        heapBytes: { sender: { empty: 3e6, long: 3e6 + heapGrowth }, receiver: { empty: 3e6, long: 4e6 } },
        renderedItems: { sender: 300, receiver: 300 },
        fillSeconds: 60,
      },
    };
    const results: BenchResults = { ...saved, details: { ...saved.details, browser } };
    return { ...results, figures: composeFigures(results) };
  };

  it('compares the cost of a message at 10,000 against at 10, and the heap against 30 MB, in the table and the findings', () => {
    const results = withLongChat(4.4, 5e6);
    const byId = new Map(results.figures.map((figure) => [figure.id, figure]));
    expect(byId.get('long-chat-latency-p50')).toMatchObject({ value: 4.4, baseline: 4, met: true });
    expect(byId.get('long-chat-per-message')).toMatchObject({ value: 2.2, baseline: 2, met: true });
    expect(byId.get('long-chat-heap')).toMatchObject({ value: 5e6, met: true, display: '5 MB (0.50 MB per 1,000 messages)' });
    const document = renderMarkdown(results, section);
    expect(document).toContain('**A long conversation (10,000 messages');
    expect(document).toMatch(/\| JS heap after 10,000 messages .*\| 5 MB \(0\.50 MB per 1,000 messages\) \|/);
  });

  it('says when a goal is missed', () => {
    const results = withLongChat(6, 40e6);
    const missed = results.figures.filter((figure) => figure.met === false).map((figure) => figure.id);
    expect(missed).toEqual(expect.arrayContaining(['long-chat-latency-p50', 'long-chat-heap']));
  });

  it('adds nothing to a run made before it was measured', () => {
    const before = { ...saved, details: { ...saved.details, browser: { ...saved.details.browser, longChat: undefined } } } as BenchResults;
    expect(composeFigures(before).some((figure) => figure.id.startsWith('long-chat'))).toBe(false);
    expect(composeFigures(saved).some((figure) => figure.id.startsWith('long-chat'))).toBe(saved.details.browser.longChat !== undefined);
  });
});
