/**
 * The browser side of the signaling protocol: one WebSocket, every incoming frame
 * validated by signaling/protocol.ts before anyone sees it.
 */
import { type ClientMessage, type ServerMessage, parseServerMessage } from '../../signaling/protocol.ts';
import { DuetError } from '../core/errors.ts';

export interface SignalingHandlers {
  onMessage: (message: ServerMessage) => void;
  /** The server sent something that is not valid protocol; it was dropped. */
  onInvalid: (error: DuetError) => void;
  /** The socket closed (after a successful connect). */
  onClose: () => void;
}

export interface SignalingConnection {
  send(message: ClientMessage): void;
  close(): void;
}

/**
 * The WebSocket class used: the browser's own, or in Node (the terminal peer) the `ws`
 * package's, which speaks the same addEventListener interface.
 */
/** WebSocket.OPEN, the same number in every implementation. */
const OPEN = 1;

export type WebSocketClass = new (url: string) => WebSocket;

export function connectSignaling(url: string, handlers: SignalingHandlers, Socket: WebSocketClass = WebSocket): Promise<SignalingConnection> {
  return new Promise((resolve, reject) => {
    let socket: WebSocket;
    try {
      socket = new Socket(url);
    } catch (error) {
      reject(new DuetError('signaling-unreachable', 'invalid URL', { cause: error }));
      return;
    }
    let open = false;
    let closedByUs = false;
    socket.addEventListener('open', () => {
      open = true;
      resolve({
        send(message) {
          if (socket.readyState === OPEN) socket.send(JSON.stringify(message));
        },
        close() {
          closedByUs = true;
          socket.close(1000);
        },
      });
    });
    socket.addEventListener('message', (event: MessageEvent) => {
      if (typeof event.data !== 'string') {
        handlers.onInvalid(new DuetError('signaling-malformed', 'binary frame'));
        return;
      }
      const parsed = parseServerMessage(event.data);
      if (parsed.ok) handlers.onMessage(parsed.value);
      else handlers.onInvalid(new DuetError('signaling-malformed', parsed.detail));
    });
    socket.addEventListener('close', () => {
      if (!open) reject(new DuetError('signaling-unreachable'));
      else if (!closedByUs) handlers.onClose();
    });
  });
}
