/**
 * The DTLS certificate for the next peer connection, made ahead of time like the RSA key.
 * Kept apart from peer-link.ts so the lobby can start it without loading WebRTC's
 * library (simple-peer and its stream base), which the app fetches only as a
 * conversation starts.
 *
 * Without one, the page's first RTCPeerConnection generates its own on the main thread
 * while the connection is being set up (measured 9–24 ms there, against 3–5 ms with one
 * ready). Each certificate serves one peer connection; taking it starts the next. Its
 * fingerprint is bound into the handshake like any other.
 */

export function peerConnectionAvailable(): boolean {
  return typeof RTCPeerConnection === 'function';
}

let readyCertificate: RTCCertificate | undefined;
let certificateInProgress = false;

/** Starts making the next connection's certificate, if none is ready or on its way. */
export function prepareCertificate(): void {
  if (readyCertificate || certificateInProgress || !peerConnectionAvailable() || typeof RTCPeerConnection.generateCertificate !== 'function') return;
  certificateInProgress = true;
  const ecdsa: EcKeyGenParams = { name: 'ECDSA', namedCurve: 'P-256' };
  RTCPeerConnection.generateCertificate(ecdsa).then(
    (certificate) => {
      readyCertificate = certificate;
      certificateInProgress = false;
    },
    () => {
      // The connection then makes its own, as it would without this.
      certificateInProgress = false;
    },
  );
}

/** The certificate made ahead, if one is ready and still valid (undefined: the connection makes its own); starts the next. */
export function takeCertificate(): RTCCertificate | undefined {
  const certificate = readyCertificate;
  readyCertificate = undefined;
  prepareCertificate();
  return certificate && certificate.expires > Date.now() ? certificate : undefined;
}
