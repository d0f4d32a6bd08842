// Loaded into a terminal peer under test (NODE_OPTIONS=--import): after SIGUSR2, the next large
// record this process puts on the data channel has one bit of its authentication tag flipped on
// the way out, as a meddler on the path would. Nothing else changes.
import { RTCDataChannel } from 'webrtc-polyfill';

const LARGE_BYTES = 200;
let armed = false;
process.on('SIGUSR2', () => {
  armed = true;
  process.stderr.write('tamper: armed\n');
});

const send = RTCDataChannel.prototype.send;
RTCDataChannel.prototype.send = function (data) {
  if (armed && typeof data !== 'string' && data.byteLength > LARGE_BYTES) {
    armed = false;
    const view = data instanceof ArrayBuffer ? new Uint8Array(data) : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    const copy = Uint8Array.from(view);
    copy[copy.length - 1] ^= 0x01;
    process.stderr.write('tamper: flipped a bit\n');
    return send.call(this, copy);
  }
  return send.call(this, data);
};
