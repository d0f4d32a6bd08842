/**
 * A test-only "evil" signaling server: a proxy in front of the real server that
 * serves the real app and relays the real protocol, but can read, change, drop or
 * inject any signaling frame, as a compromised server could. Browsers opened on
 * its URL use it (the app's default signaling URL is its own origin).
 */
import { request as httpRequest, createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import { type LogEntry, type SignalingServer, createSignalingServer } from '../../signaling/server.ts';

export type Side = 'host' | 'guest';

type Frame = Record<string, unknown>;

/** Sees each frame on its way; returns the frames to deliver instead (none drops it). May be async. */
export type Attack = (frame: Frame, to: Side | 'server', from: Side | 'server') => Frame[] | Promise<Frame[]>;

export interface EvilServer {
  url: string;
  /** Every log entry the real server wrote. */
  logs: LogEntry[];
  /** Every frame that passed, as JSON text, for checks. */
  frames: string[];
  close(): Promise<void>;
}

export async function startEvilServer(attack: Attack): Promise<EvilServer> {
  const logs: LogEntry[] = [];
  const frames: string[] = [];
  const upstream: SignalingServer = await createSignalingServer({ port: 0, host: '127.0.0.1', staticDir: 'dist', log: (e) => logs.push(e) });
  const sockets = new WebSocketServer({ noServer: true });
  let connections = 0;

  const proxy: Server = createServer((request: IncomingMessage, response) => {
    const forwarded = httpRequest(
      { host: '127.0.0.1', port: upstream.port, path: request.url, method: request.method, headers: request.headers },
      (answer) => {
        response.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(response);
      },
    );
    forwarded.on('error', () => response.destroy());
    request.pipe(forwarded);
  });

  proxy.on('upgrade', (request, socket, head) => {
    sockets.handleUpgrade(request, socket, head, (browser) => {
      const index = connections++;
      let side: Side = index === 0 ? 'host' : 'guest';
      const server = new WebSocket(upstream.wsUrl);
      const pending: string[] = [];
      // Frames in each direction go through the attack one at a time, in order.
      const queues = new Map<WebSocket, Promise<void>>();
      const deliver = (target: WebSocket, text: string, to: Side | 'server', from: Side | 'server') => {
        const previous = queues.get(target) ?? Promise.resolve();
        const next = previous.then(async () => {
          let frame: Frame;
          try {
            frame = JSON.parse(text) as Frame;
          } catch {
            target.send(text);
            return;
          }
          if (from !== 'server' && frame.type === 'create') side = 'host';
          for (const out of await attack(frame, to, from)) {
            const outText = JSON.stringify(out);
            frames.push(outText);
            if (target.readyState === WebSocket.OPEN) target.send(outText);
          }
        });
        queues.set(target, next.catch(() => {}));
      };
      browser.on('message', (data) => {
        const text = data.toString();
        if (server.readyState === WebSocket.OPEN) deliver(server, text, 'server', side);
        else pending.push(text);
      });
      server.on('open', () => pending.splice(0).forEach((text) => deliver(server, text, 'server', side)));
      server.on('message', (data) => deliver(browser, data.toString(), side, 'server'));
      browser.on('close', () => server.close());
      server.on('close', () => browser.close());
    });
  });

  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const { port } = proxy.address() as AddressInfo;
  return {
    url: `http://localhost:${port}`,
    logs,
    frames,
    async close() {
      for (const client of sockets.clients) client.terminate();
      await new Promise<void>((resolve) => proxy.close(() => resolve()));
      await upstream.close();
    },
  };
}

/** Flips one bit in a base64url payload, keeping it valid base64url. */
export function flipBit(payload: string): string {
  const bytes = Buffer.from(payload, 'base64url');
  bytes[Math.min(20, bytes.length - 1)]! ^= 0x01;
  return bytes.toString('base64url');
}
