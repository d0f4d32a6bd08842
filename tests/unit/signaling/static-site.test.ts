/**
 * The built app as the server sends it: the build's precompressed copies chosen by
 * Accept-Encoding, validators and 304s, the cache policy, and a static directory
 * that links outside itself refused at start-up. Real files, a real server, raw HTTP
 * (fetch would negotiate and decompress on its own).
 */
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { type IncomingHttpHeaders, request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type SignalingServer, createSignalingServer } from '../../../signaling/server.ts';
import { StaticSiteError } from '../../../signaling/static-site.ts';
import { precompress } from '../../../scripts/vite-plugin-hardening.ts';

const INDEX = `<!doctype html><title>Duet</title>${'<p>duet</p>'.repeat(200)}`;
const SCRIPT = `console.log("duet");${' void 0;'.repeat(300)}`;

interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

let root: string;
let site: string;
let server: SignalingServer | undefined;

function get(server: SignalingServer, requestPath: string, headers: Record<string, string> = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(`${server.url}/`, { path: requestPath, headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks) }));
    });
    request.on('error', reject);
    request.end();
  });
}

beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'duet-site-'));
  site = path.join(root, 'site');
  await mkdir(path.join(site, 'assets'), { recursive: true });
  await writeFile(path.join(site, 'index.html'), INDEX);
  await writeFile(path.join(site, 'sw.js'), SCRIPT);
  await writeFile(path.join(site, 'assets', 'app-3f9a1c.js'), SCRIPT);
  await writeFile(path.join(root, 'secret.json'), '{"outside":true}');
});

afterEach(async () => {
  await server?.close();
  server = undefined;
  await rm(root, { recursive: true, force: true });
});

const start = async () => (server = await createSignalingServer({ port: 0, host: '127.0.0.1', log: () => {}, staticDir: site }));

describe('static site: compression', () => {
  beforeEach(() => precompress([path.join(site, 'index.html'), path.join(site, 'sw.js'), path.join(site, 'assets', 'app-3f9a1c.js')]));

  it('sends the brotli copy to a browser that takes it, the gzip one otherwise, and the file itself to anyone else', async () => {
    const s = await start();
    const brotli = await get(s, '/assets/app-3f9a1c.js', { 'Accept-Encoding': 'gzip, deflate, br' });
    expect(brotli.headers['content-encoding']).toBe('br');
    expect(brotli.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(brotli.headers.vary).toBe('Accept-Encoding');
    expect(brotli.body.length).toBeLessThan(SCRIPT.length / 4);
    expect(brotliDecompressSync(brotli.body).toString()).toBe(SCRIPT);

    const gzip = await get(s, '/assets/app-3f9a1c.js', { 'Accept-Encoding': 'gzip' });
    expect(gzip.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gzip.body).toString()).toBe(SCRIPT);

    const plain = await get(s, '/assets/app-3f9a1c.js');
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body.toString()).toBe(SCRIPT);
  });

  it('compresses the page itself too, at / and at client-side routes', async () => {
    const s = await start();
    for (const route of ['/', '/room']) {
      const page = await get(s, route, { 'Accept-Encoding': 'br' });
      expect(page.status, route).toBe(200);
      expect(page.headers['content-type'], route).toBe('text/html; charset=utf-8');
      expect(page.headers['content-encoding'], route).toBe('br');
      expect(brotliDecompressSync(page.body).toString(), route).toBe(INDEX);
    }
  });
});

describe('static site: caching', () => {
  it('gives the page and the service worker a validator and answers a matching If-None-Match with 304', async () => {
    const s = await start();
    for (const file of ['/', '/sw.js']) {
      const first = await get(s, file);
      expect(first.headers['cache-control'], file).toBe('no-cache');
      const etag = first.headers.etag;
      expect(etag, file).toBeTruthy();
      expect(first.headers['last-modified'], file).toBeTruthy();
      const again = await get(s, file, { 'If-None-Match': etag! });
      expect(again.status, file).toBe(304);
      expect(again.body.length, file).toBe(0);
      const stale = await get(s, file, { 'If-None-Match': 'W/"0-0"' });
      expect(stale.status, file).toBe(200);
    }
    expect((await get(s, '/assets/app-3f9a1c.js')).headers['cache-control']).toBe('public, max-age=31536000, immutable');
  });
});

describe('static site: links', () => {
  it('refuses to start with a link leading outside the directory, and names it', async () => {
    await symlink(path.join(root, 'secret.json'), path.join(site, 'assets', 'config.json'));
    const started = start();
    await expect(started).rejects.toBeInstanceOf(StaticSiteError);
    await expect(started).rejects.toThrow('assets/config.json');
  });

  it('refuses a linked directory that leads outside, and a broken link', async () => {
    await symlink(root, path.join(site, 'up'));
    await expect(start()).rejects.toThrow('link to outside itself: up');
    await rm(path.join(site, 'up'));
    await symlink(path.join(root, 'gone.js'), path.join(site, 'gone.js'));
    await expect(start()).rejects.toThrow('broken link: gone.js');
  });

  it('serves a link that stays inside the directory', async () => {
    await symlink(path.join(site, 'index.html'), path.join(site, 'home.html'));
    const s = await start();
    const page = await get(s, '/home.html');
    expect(page.status).toBe(200);
    expect(page.body.toString()).toBe(INDEX);
  });

  it('refuses a missing directory with a sentence that says what to do', async () => {
    await rm(site, { recursive: true });
    await expect(start()).rejects.toThrow('run npm run build first');
  });
});
