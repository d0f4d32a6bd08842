/**
 * WebRTC in Node: the classes of webrtc-polyfill (node-datachannel inside, with a
 * prebuilt binary from the registry), which simple-peer already uses in Node. They
 * are also made global, because peer-link.ts checks for RTCPeerConnection the way a
 * browser page does before it starts.
 */
import * as WebRTC from 'webrtc-polyfill';

const globals = globalThis as Record<string, unknown>;
for (const [key, value] of Object.entries(WebRTC)) {
  if (key !== 'default' && globals[key] === undefined) globals[key] = value;
}
