/**
 * Build hardening for the static site, so anyone hosting or auditing dist/ can
 * check what they serve:
 * - a strict Content-Security-Policy as a <meta> tag (works on any static host;
 *   the Node server also sends it as a header, with frame-ancestors);
 * - Subresource Integrity (sha384) on the entry script, its preloads and the CSS;
 * - dist/SHA256SUMS listing every built file, also printed at the end of the build.
 */
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Plugin, ResolvedConfig } from 'vite';

/** The policy: only this origin's code, the signaling server, and data: images (the QR code). */
export function contentSecurityPolicy(signalingUrl: string | undefined): string {
  const connect = ["'self'"];
  if (signalingUrl) connect.push(new URL(signalingUrl).origin.replace(/^http/, 'ws'));
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data: blob:",
    `connect-src ${connect.join(' ')}`,
    "manifest-src 'self'",
    "worker-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "object-src 'none'",
  ].join('; ');
}

function sri(bytes: Buffer): string {
  return `sha384-${createHash('sha384').update(bytes).digest('base64')}`;
}

function listFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? listFiles(path) : [path];
  });
}

export function hardening(options: { signalingUrl: string | undefined }): Plugin {
  let config: ResolvedConfig;
  return {
    name: 'duet-hardening',
    apply: 'build',
    configResolved(resolved) {
      config = resolved;
    },
    transformIndexHtml: {
      order: 'post',
      handler(html) {
        const csp = `<meta http-equiv="Content-Security-Policy" content="${contentSecurityPolicy(options.signalingUrl)}" />`;
        return html.replace('<meta charset="utf-8" />', `<meta charset="utf-8" />\n    ${csp}`);
      },
    },
    // After the files are written, so the hashes are of exactly the bytes served.
    closeBundle() {
      const outDir = join(config.root, config.build.outDir);
      const indexPath = join(outDir, 'index.html');
      const html = readFileSync(indexPath, 'utf8').replace(
        /<(script|link)([^>]*?)(src|href)="\.\/(assets\/[^"]+)"([^>]*)>/g,
        (_tag, name: string, before: string, attr: string, file: string, after: string) =>
          `<${name}${before}${attr}="./${file}" integrity="${sri(readFileSync(join(outDir, file)))}"${after}>`,
      );
      writeFileSync(indexPath, html);
      const sums = listFiles(outDir)
        .filter((path) => !path.endsWith('SHA256SUMS'))
        .map((path) => `${createHash('sha256').update(readFileSync(path)).digest('hex')}  ${relative(outDir, path).split('\\').join('/')}`)
        .sort((a, b) => a.slice(66).localeCompare(b.slice(66)));
      writeFileSync(join(outDir, 'SHA256SUMS'), `${sums.join('\n')}\n`);
      if (config.logLevel !== 'silent') console.log(`\nSHA-256 of every built file (dist/SHA256SUMS):\n${sums.join('\n')}`);
    },
  };
}
