/**
 * Builds what the bench serves: the product's dist/ (only if missing or older than
 * its sources, as `npm start` does) and the bench's own pages, which go to
 * bench/.build/ and never into the product's dist/.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

const PRODUCT_SOURCES = ['src', 'public', 'index.html', 'vite.config.ts', 'package.json', 'package-lock.json', 'signaling'];

function newestChange(file: string): number {
  if (!existsSync(file)) return 0;
  const stats = statSync(file);
  if (!stats.isDirectory()) return stats.mtimeMs;
  return readdirSync(file).reduce((newest, entry) => Math.max(newest, newestChange(path.join(file, entry))), stats.mtimeMs);
}

function isStale(builtFile: string, sources: string[], root: string): boolean {
  if (!existsSync(builtFile)) return true;
  const builtAt = statSync(builtFile).mtimeMs;
  return sources.some((source) => newestChange(path.join(root, source)) > builtAt);
}

/** Returns whether it had to build. */
export async function buildProductIfStale(root: string): Promise<boolean> {
  if (!isStale(path.join(root, 'dist', 'index.html'), PRODUCT_SOURCES, root)) return false;
  const { build } = await import('vite');
  await build({ root, logLevel: 'warn' });
  return true;
}

export const BENCH_PAGES = ['raw.html', 'duet.html'] as const;

/** The bench pages: always rebuilt (a few seconds), with the product's sources they import. */
export async function buildBenchPages(root: string): Promise<string> {
  const pagesDir = path.join(root, 'bench', 'pages');
  const outDir = path.join(root, 'bench', '.build');
  const { build } = await import('vite');
  await build({
    configFile: false,
    root: pagesDir,
    base: './',
    logLevel: 'warn',
    build: {
      outDir,
      emptyOutDir: true,
      target: 'es2022',
      sourcemap: false,
      rollupOptions: { input: Object.fromEntries(BENCH_PAGES.map((page) => [page.replace('.html', ''), path.join(pagesDir, page)])) },
    },
  });
  return outDir;
}
