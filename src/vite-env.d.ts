/// <reference types="vite/client" />

interface ImportMetaEnv {
  readonly VITE_SIGNALING_URL?: string;
  readonly VITE_ICE_SERVERS?: string;
  readonly VITE_RSA_MODULUS_LENGTH?: string;
  readonly VITE_RSA_PUBLIC_EXPONENT?: string;
  readonly VITE_HANDSHAKE_TIMEOUT_MS?: string;
  readonly VITE_HANDSHAKE_ATTEMPTS?: string;
  readonly VITE_HANDSHAKE_RETRY_DELAY_MS?: string;
}

declare module '@thaunknown/simple-peer/lite.js' {
  const Peer: unknown;
  export default Peer;
}
