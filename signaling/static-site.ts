/**
 * The built app (dist/), served with sirv: the file list is read once at start-up,
 * precompressed copies (.br, .gz, made by the build) are chosen by Accept-Encoding,
 * every response has a validator (ETag, Last-Modified) and a matching If-None-Match
 * gets 304. What is ours: request targets are checked before sirv sees them (a
 * malformed escape, a NUL or a step outside the directory is a 400, never a guess),
 * the cache policy (hashed assets immutable, everything else revalidated), content
 * types with their charset, and a directory that links outside itself is refused at
 * start-up, so no file outside it can be served.
 */
import { lstatSync, readdirSync, realpathSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import sirv from 'sirv';

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};

/** Vite puts content-hashed files here, so they never change under the same name. */
const HASHED_ASSETS_PREFIX = '/assets/';
const IMMUTABLE = 'public, max-age=31536000, immutable';
/** Cached, but checked with the server (ETag) before each use: index.html, sw.js, icons. */
const REVALIDATE = 'no-cache';

export type StaticRequestHandler = (request: IncomingMessage, response: ServerResponse, pathname: string, notFound: () => void) => void;

/** Thrown at start-up for a static directory that cannot be served safely. */
export class StaticSiteError extends Error {
  override readonly name = 'StaticSiteError';
}

/**
 * Serves `dir`. Throws StaticSiteError if it is missing or holds a symbolic link that
 * leads outside it (sirv would follow it).
 */
export function createStaticSite(dir: string): StaticRequestHandler {
  const root = realDirectory(dir);
  refuseLinksOutside(root, root);
  const serve = sirv(root, {
    dev: false,
    etag: true,
    gzip: true,
    brotli: true,
    // Client-side routes (no file extension) all load the single-page app; a missing
    // file (anything ending in an extension, whatever its other characters) is a 404.
    single: true,
    ignores: [String.raw`\.\w+$`],
    setHeaders: (response, pathname) => {
      // A path without an extension is the page itself (at /, or a client-side route).
      const type = CONTENT_TYPES[path.extname(pathname.replace(/\.(br|gz)$/, '')).toLowerCase() || '.html'];
      if (type) response.setHeader('Content-Type', type);
      response.setHeader('Cache-Control', pathname.startsWith(HASHED_ASSETS_PREFIX) ? IMMUTABLE : REVALIDATE);
    },
  });
  return (request, response, pathname, notFound) => {
    let decoded: string;
    try {
      decoded = decodeURIComponent(pathname);
    } catch {
      return badRequest(response);
    }
    if (decoded.includes('\0') || !decoded.startsWith('/') || !isInside(root, path.join(root, decoded))) return badRequest(response);
    serve(request, response, notFound);
  };
}

function realDirectory(dir: string): string {
  try {
    const real = realpathSync(path.resolve(dir));
    if (!lstatSync(real).isDirectory()) throw new StaticSiteError(`STATIC_DIR ${dir} is not a directory`);
    return real;
  } catch (error) {
    if (error instanceof StaticSiteError) throw error;
    throw new StaticSiteError(`STATIC_DIR ${dir} cannot be read (run npm run build first?)`);
  }
}

function refuseLinksOutside(root: string, dir: string): void {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isSymbolicLink()) {
      let target: string;
      try {
        target = realpathSync(full);
      } catch {
        throw new StaticSiteError(`STATIC_DIR holds a broken link: ${path.relative(root, full)}`);
      }
      if (!isInside(root, target)) throw new StaticSiteError(`STATIC_DIR holds a link to outside itself: ${path.relative(root, full)}`);
    } else if (entry.isDirectory()) {
      refuseLinksOutside(root, full);
    }
  }
}

function isInside(root: string, candidate: string): boolean {
  return candidate === root || candidate.startsWith(root + path.sep);
}

function badRequest(response: ServerResponse): void {
  response.writeHead(400, { 'Content-Type': 'text/plain; charset=utf-8' });
  response.end('Bad request');
}
