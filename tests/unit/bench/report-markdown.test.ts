/**
 * docs/PERFORMANCE.md keeps its hand-written section (what earlier sessions profiled and
 * tried) through every regeneration; the generated part around it comes from the results.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { HAND_WRITTEN_END, HAND_WRITTEN_START, handWrittenSection, renderMarkdown } from '../../../bench/lib/report-markdown.ts';
import type { BenchResults } from '../../../bench/lib/report.ts';

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
