/**
 * The baseline: a plain RTCPeerConnection and one ordered data channel, introduced
 * through the same signaling server and protocol as Duet (create/join a room,
 * relay offer, answer and candidates), with no encryption of our own and no
 * library in between. Driven by bench/run.ts through window.__bench.
 */
import { type BenchMessage, Measurer, type Pipe, connectionNamed, decodeBinary, encodeBinary, epochNow, fromBase64UrlJson, toBase64UrlJson, until } from './measure.ts';

interface RawConnection {
  socket: WebSocket;
  pc: RTCPeerConnection | undefined;
  channel: RTCDataChannel | undefined;
  openedAt: number | undefined;
  measurer: Measurer | undefined;
  error: string | undefined;
}

const connections = new Map<string, RawConnection>();

function rawPipe(name: string, channel: RTCDataChannel): Pipe {
  const pipe: Pipe = {
    name,
    errors: [],
    onMessage: () => {},
    send(message: BenchMessage) {
      channel.send(encodeBinary(message));
    },
  };
  channel.onmessage = (event: MessageEvent<ArrayBuffer>) => pipe.onMessage(decodeBinary(new Uint8Array(event.data)));
  return pipe;
}

/**
 * Opens the signaling socket and enters the room (create or join); resolves once
 * the server confirmed it, with the epoch time the call started. The peer
 * connection is made when both are in the room: the host offers.
 */
function enter(name: string, role: 'host' | 'guest', room: string, wsUrl: string): Promise<{ startedAt: number; inRoomAt: number }> {
  const startedAt = epochNow();
  const socket = new WebSocket(wsUrl);
  const connection: RawConnection = { socket, pc: undefined, channel: undefined, openedAt: undefined, measurer: undefined, error: undefined };
  connections.set(name, connection);
  const pendingCandidates: RTCIceCandidateInit[] = [];
  const sendSignal = (value: unknown) => socket.send(JSON.stringify({ type: 'signal', payload: toBase64UrlJson(value) }));

  const channelReady = (channel: RTCDataChannel) => {
    channel.binaryType = 'arraybuffer';
    connection.channel = channel;
    channel.onopen = () => {
      connection.openedAt = epochNow();
      connection.measurer = new Measurer(rawPipe(name, channel));
    };
  };
  const makePeerConnection = () => {
    const pc = new RTCPeerConnection({ iceServers: [] });
    connection.pc = pc;
    pc.onicecandidate = (event) => {
      if (event.candidate) sendSignal({ candidate: event.candidate.toJSON() });
    };
    pc.ondatachannel = (event) => channelReady(event.channel);
    return pc;
  };
  const onSignal = async (signal: { sdp?: RTCSessionDescriptionInit; candidate?: RTCIceCandidateInit }) => {
    if (signal.sdp) {
      const pc = connection.pc ?? makePeerConnection();
      await pc.setRemoteDescription(signal.sdp);
      for (const candidate of pendingCandidates.splice(0)) await pc.addIceCandidate(candidate);
      if (signal.sdp.type === 'offer') {
        await pc.setLocalDescription(await pc.createAnswer());
        sendSignal({ sdp: pc.localDescription!.toJSON() });
      }
    } else if (signal.candidate) {
      if (connection.pc?.remoteDescription) await connection.pc.addIceCandidate(signal.candidate);
      else pendingCandidates.push(signal.candidate);
    }
  };
  let signals = Promise.resolve();

  return new Promise((resolve, reject) => {
    socket.onopen = () => socket.send(JSON.stringify({ type: role === 'host' ? 'create' : 'join', room }));
    socket.onerror = () => reject(new Error('signaling socket failed'));
    socket.onmessage = (event: MessageEvent<string>) => {
      const message = JSON.parse(event.data) as { type: string; payload?: string; code?: string };
      switch (message.type) {
        case 'created':
        case 'joined':
          resolve({ startedAt, inRoomAt: epochNow() });
          return;
        case 'peer-joined': {
          // The host offers as soon as the guest is there.
          const pc = makePeerConnection();
          channelReady(pc.createDataChannel('bench', { ordered: true }));
          void pc
            .setLocalDescription()
            .then(() => sendSignal({ sdp: pc.localDescription!.toJSON() }))
            .catch((error: unknown) => (connection.error = String(error)));
          return;
        }
        case 'signal': {
          const signal = fromBase64UrlJson(message.payload!) as Parameters<typeof onSignal>[0];
          signals = signals.then(() => onSignal(signal)).catch((error: unknown) => void (connection.error = String(error)));
          return;
        }
        case 'error':
          connection.error = `server error ${message.code}`;
          reject(new Error(connection.error));
          return;
      }
    };
  });
}

const bench = {
  kind: 'raw',
  enter,
  /** Resolves with the epoch time the data channel opened on this side. */
  async opened(name: string, timeoutMs = 30_000): Promise<number> {
    const connection = connectionNamed(connections, name);
    await until(() => connection.openedAt !== undefined || connection.error !== undefined, timeoutMs, `${name} to open`);
    if (connection.error) throw new Error(connection.error);
    return connection.openedAt!;
  },
  roundTrips(name: string, size: number, warmup: number, samples: number, maxMs: number): Promise<number[]> {
    return connectionNamed(connections, name).measurer!.roundTrips(size, warmup, samples, maxMs);
  },
  flow(name: string, size: number, window: number, ackEvery: number, durationMs: number) {
    return connectionNamed(connections, name).measurer!.flow(size, window, ackEvery, durationMs);
  },
  /**
   * The bare UI path (a bound for the app's Send → peer's log): a second, negotiated
   * channel on this connection, called on both pages. On the sender a button (#ui-send)
   * sends window.__uiText when clicked; on the receiver each message becomes a paragraph
   * (p.text) appended to a list (#ui-log). Resolves once that channel is open.
   */
  async uiEcho(name: string): Promise<void> {
    const connection = connectionNamed(connections, name);
    const channel = connection.pc!.createDataChannel('ui', { negotiated: true, id: 9, ordered: true });
    const button = document.createElement('button');
    button.id = 'ui-send';
    button.textContent = 'Send';
    button.addEventListener('click', () => channel.send((window as unknown as { __uiText: string }).__uiText));
    const log = document.createElement('div');
    log.id = 'ui-log';
    channel.addEventListener('message', (event: MessageEvent<string>) => {
      const text = document.createElement('p');
      text.className = 'text';
      text.textContent = event.data;
      log.append(text);
    });
    document.body.append(button, log);
    await until(() => channel.readyState === 'open', 10_000, `${name}'s ui channel to open`);
  },
  close(name: string): void {
    const connection = connections.get(name);
    connection?.channel?.close();
    connection?.pc?.close();
    connection?.socket.close();
    connections.delete(name);
  },
};

export type RawBench = typeof bench;
Object.assign(window, { __bench: bench });
