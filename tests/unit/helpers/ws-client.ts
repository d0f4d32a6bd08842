/** A real `ws` client for server tests: validates every frame (parseServerMessage) and queues it for next(). */
import { once } from 'node:events';
import WebSocket from 'ws';
import { type ServerMessage, parseServerMessage } from '../../../signaling/protocol.ts';

export class WsClient {
  readonly socket: WebSocket;
  readonly closed: Promise<{ code: number; reason: string }>;
  private readonly inbox: ServerMessage[] = [];
  private readonly waiting: { resolve: (message: ServerMessage) => void; reject: (error: Error) => void }[] = [];
  private failure: Error | undefined;

  private constructor(url: string, options?: WebSocket.ClientOptions) {
    this.socket = new WebSocket(url, options);
    this.socket.on('message', (data: WebSocket.RawData, isBinary: boolean) => {
      const parsed = parseServerMessage(isBinary ? '<binary>' : data.toString());
      if (parsed.ok) this.deliver(parsed.value);
      else this.fail(new Error(`server sent an invalid frame (${parsed.detail})`));
    });
    this.closed = new Promise((resolve) => {
      this.socket.on('close', (code: number, reason: Buffer) => {
        this.fail(new Error(`socket closed (${code}) while waiting for a message`));
        resolve({ code, reason: reason.toString() });
      });
    });
    this.socket.on('error', (error) => this.fail(error));
  }

  static async connect(url: string, options?: WebSocket.ClientOptions): Promise<WsClient> {
    const client = new WsClient(url, options);
    await once(client.socket, 'open');
    return client;
  }

  /** The next message from the server, in arrival order. */
  next(): Promise<ServerMessage> {
    const queued = this.inbox.shift();
    if (queued) return Promise.resolve(queued);
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => this.waiting.push({ resolve, reject }));
  }

  /** Messages received and not yet taken by next(). */
  get unread(): readonly ServerMessage[] {
    return this.inbox;
  }

  send(message: unknown): void {
    this.socket.send(JSON.stringify(message));
  }

  /** Sends raw bytes or text, as a broken or hostile client would. */
  sendRaw(data: string | Buffer, options: { binary?: boolean } = {}): void {
    this.socket.send(data, { binary: options.binary ?? false });
  }

  async request(message: unknown): Promise<ServerMessage> {
    this.send(message);
    return this.next();
  }

  close(): Promise<unknown> {
    if (this.socket.readyState === WebSocket.CLOSED) return Promise.resolve();
    this.socket.close();
    return this.closed;
  }

  private deliver(message: ServerMessage): void {
    const waiter = this.waiting.shift();
    if (waiter) waiter.resolve(message);
    else this.inbox.push(message);
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const waiter of this.waiting.splice(0)) waiter.reject(error);
  }
}
