/**
 * Finds text that a person would read but that is written straight into a Lit
 * html`` template instead of coming from the message catalogue. A small scanner of
 * TypeScript source, enough for our own UI code: it follows strings, comments,
 * template literals and ${…} expressions (with templates nested in them), and
 * throws on anything it cannot close, so a parsing slip fails loudly rather than
 * passing quietly.
 */

/** Attributes whose value is read out or shown to people. */
const TEXT_ATTRIBUTES = new Set([
  'aria-label',
  'aria-description',
  'aria-roledescription',
  'aria-placeholder',
  'aria-valuetext',
  'alt',
  'title',
  'placeholder',
  'label',
]);

/** A placeholder for each ${…} in a template's static text. */
const HOLE = '\u0000';

interface Scan {
  templates: string[];
}

function skipQuoted(src: string, i: number, quote: string): number {
  for (let j = i + 1; j < src.length; j++) {
    if (src[j] === '\\') j++;
    else if (src[j] === quote) return j + 1;
    else if (src[j] === '\n') break;
  }
  throw new Error(`unterminated string at ${i}`);
}

/** `i` is just after a backtick; returns the index after the closing one. */
function readTemplate(src: string, i: number, scan: Scan, isHtml: boolean): number {
  let statics = '';
  for (let j = i; j < src.length; j++) {
    const c = src[j];
    if (c === '\\') {
      statics += src.slice(j, j + 2);
      j++;
    } else if (c === '`') {
      if (isHtml) scan.templates.push(statics);
      return j + 1;
    } else if (c === '$' && src[j + 1] === '{') {
      statics += HOLE;
      j = readCode(src, j + 2, scan, true) - 1;
    } else statics += c;
  }
  throw new Error(`unterminated template at ${i}`);
}

/** Reads code until the `}` closing an expression (or the end of the file); returns the index after it. */
function readCode(src: string, i: number, scan: Scan, inExpression: boolean): number {
  let depth = 0;
  for (let j = i; j < src.length; j++) {
    const c = src[j]!;
    if (c === "'" || c === '"') j = skipQuoted(src, j, c) - 1;
    else if (c === '`') j = readTemplate(src, j + 1, scan, /(^|[^\w$.])html\s*$/.test(src.slice(Math.max(0, j - 6), j))) - 1;
    else if (c === '/' && src[j + 1] === '/') j = src.indexOf('\n', j) === -1 ? src.length : src.indexOf('\n', j);
    else if (c === '/' && src[j + 1] === '*') {
      const end = src.indexOf('*/', j + 2);
      if (end === -1) throw new Error(`unterminated comment at ${j}`);
      j = end + 1;
    } else if (c === '{') depth++;
    else if (c === '}') {
      if (depth === 0) {
        if (inExpression) return j + 1;
        throw new Error(`unbalanced } at ${j}`);
      }
      depth--;
    }
  }
  if (inExpression) throw new Error(`unterminated \${ at ${i}`);
  return src.length;
}

/** The static text of every html`` template in `source` (each ${…} as U+0000). */
export function htmlTemplates(source: string): string[] {
  const scan: Scan = { templates: [] };
  readCode(source, 0, scan, false);
  return scan.templates;
}

const readable = (text: string) => /\p{L}/u.test(text.replace(/&[a-z]+;|&#\w+;/gi, ''));
const tidy = (text: string) => text.replaceAll(HOLE, '${…}').replace(/\s+/g, ' ').trim();

/** Text nodes and text attributes written literally in a template: what a person would read untranslated. */
export function hardCodedText(template: string): string[] {
  const found: string[] = [];
  const markup = template.replace(/<!--[\s\S]*?-->/g, '');
  let i = 0;
  while (i < markup.length) {
    const open = markup.indexOf('<', i);
    const textEnd = open === -1 ? markup.length : open;
    const text = markup.slice(i, textEnd).replaceAll(HOLE, ' ');
    if (readable(text)) found.push(tidy(markup.slice(i, textEnd)));
    if (open === -1) break;
    // A tag: up to the first > outside quotes.
    let j = open + 1;
    let quote = '';
    for (; j < markup.length; j++) {
      const c = markup[j];
      if (quote) {
        if (c === quote) quote = '';
      } else if (c === '"' || c === "'") quote = c;
      else if (c === '>') break;
    }
    const tag = markup.slice(open + 1, j);
    for (const m of tag.matchAll(/([^\s=\u0000/>"']+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>"']+))/g)) {
      const name = m[1]!.toLowerCase();
      const value = m[2] ?? m[3] ?? m[4] ?? '';
      if (TEXT_ATTRIBUTES.has(name) && readable(value.replaceAll(HOLE, ' '))) found.push(`${name}="${tidy(value)}"`);
    }
    i = j + 1;
  }
  return found;
}
