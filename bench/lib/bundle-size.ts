/**
 * Initial JavaScript of the built app, gzip level 9 (zlib), from dist/: the entry
 * script of index.html and everything it imports statically (what the browser must
 * fetch before any app code runs). Lazily imported chunks are listed separately.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';

export interface ScriptSize {
  file: string;
  bytes: number;
  gzipBytes: number;
}

export interface BundleSizes {
  entry: string;
  /** The entry and its static imports, recursively. */
  initial: ScriptSize[];
  initialGzipBytes: number;
  /** Chunks only reached through import(): loaded later (or right after start, see the report). */
  lazy: ScriptSize[];
}

const STATIC_IMPORT = /(?:\bfrom\s*|\bimport\s*)(["'])(\.{1,2}\/[^"']+\.js)\1/g;
const DYNAMIC_IMPORT = /\bimport\(\s*(["'`])(\.{1,2}\/[^"'`]+\.js)\1\s*\)/g;

export function gzipSize(file: string): ScriptSize {
  const bytes = readFileSync(file);
  return { file, bytes: bytes.length, gzipBytes: gzipSync(bytes, { level: 9 }).length };
}

export function measureBundle(distDir: string): BundleSizes {
  const html = readFileSync(path.join(distDir, 'index.html'), 'utf8');
  const entry = /<script[^>]*type="module"[^>]*\ssrc="([^"]+)"/.exec(html)?.[1];
  if (!entry) throw new Error('no module entry script in dist/index.html');
  const initial = new Set<string>();
  const dynamic = new Set<string>();
  const visit = (file: string) => {
    if (initial.has(file)) return;
    initial.add(file);
    const code = readFileSync(file, 'utf8');
    for (const match of code.matchAll(STATIC_IMPORT)) visit(path.resolve(path.dirname(file), match[2]!));
    for (const match of code.matchAll(DYNAMIC_IMPORT)) dynamic.add(path.resolve(path.dirname(file), match[2]!));
  };
  visit(path.resolve(distDir, entry));
  // Everything reachable from the lazy chunks, minus what is already initial.
  const lazy = new Set<string>();
  const visitLazy = (file: string) => {
    if (initial.has(file) || lazy.has(file)) return;
    lazy.add(file);
    const code = readFileSync(file, 'utf8');
    for (const match of code.matchAll(STATIC_IMPORT)) visitLazy(path.resolve(path.dirname(file), match[2]!));
    for (const match of code.matchAll(DYNAMIC_IMPORT)) visitLazy(path.resolve(path.dirname(file), match[2]!));
  };
  for (const file of dynamic) visitLazy(file);
  const relative = (size: ScriptSize): ScriptSize => ({ ...size, file: path.relative(distDir, size.file) });
  const initialSizes = [...initial].map((file) => relative(gzipSize(file)));
  return {
    entry,
    initial: initialSizes,
    initialGzipBytes: initialSizes.reduce((sum, size) => sum + size.gzipBytes, 0),
    lazy: [...lazy].map((file) => relative(gzipSize(file))),
  };
}
