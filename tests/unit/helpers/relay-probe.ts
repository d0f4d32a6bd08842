/**
 * A TURN Allocate through node-datachannel, in its own process: prints, as one JSON line,
 * the candidates a relay-only peer connection gathers with the TURN server given as
 * JSON in argv[2] ({ hostname, port, username, password }), then exits as the terminal
 * peer does (process.exit). node-datachannel's native threads, torn down inside a
 * test worker, now and then crashed the worker; here they go with their own process.
 */
import nodeDataChannel from 'node-datachannel';

const server = JSON.parse(process.argv[2] ?? '{}') as { hostname: string; port: number; username: string; password: string };
const peer = new nodeDataChannel.PeerConnection('relay-probe', {
  iceServers: [{ ...server, relayType: 'TurnUdp' }],
  iceTransportPolicy: 'relay',
});
const candidates: string[] = [];
peer.onLocalCandidate((candidate) => candidates.push(candidate));
peer.onGatheringStateChange((state) => {
  if (state !== 'complete') return;
  process.stdout.write(`${JSON.stringify(candidates)}\n`, () => process.exit(0));
});
peer.createDataChannel('probe');
