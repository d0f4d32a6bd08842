/**
 * One error vocabulary for the whole app: every failure a user can meet has a
 * stable code and a plain sentence. The UI shows both; tests match on the code.
 */
export const ERROR_MESSAGES = {
  // Invites and rooms
  'invalid-code': 'That room code is not valid. Check it and try again.',
  'room-not-found': 'No room with this code exists. It may have expired or been closed.',
  'room-full': 'This room is full. A Duet room holds exactly two people.',
  'room-exists': 'A room with this code already exists. Create a new room.',
  'invalid-name': 'Please enter a name of 1 to 40 characters.',
  'code-mismatch': 'The short code did not match. Ask the other person for a new short code and try again.',
  'short-code-guessed':
    'Someone tried your short code with the wrong words. That code no longer works: make a new one, or share the link.',
  'no-nameplate': 'No short code is free on this server right now. Share the link or the QR code instead.',
  evicted: 'The other person’s app turned you out of the room, because yours could not prove it had the invite.',

  // Signaling
  'signaling-unreachable': 'Cannot reach the signaling server. Check your connection and try again.',
  'signaling-lost': 'The connection to the signaling server was lost before your peer arrived.',
  'signaling-malformed': 'The signaling server sent a message Duet does not understand.',
  'bad-request': 'The signaling server rejected a malformed request.',
  'payload-too-large': 'A message to the signaling server was too large.',
  'not-in-room': 'You are not in a room yet.',
  'no-peer': 'Your peer is not connected to the room right now.',
  'room-expired': 'Nobody joined this room in time, so it was closed. Create a new room.',
  'rate-limited': 'Too many messages reached the signaling server too fast; some were refused.',
  'already-in-room': 'You are already in a room.',
  'server-error': 'The signaling server ran into a problem.',
  'signal-rejected': 'Connection details from the other side could not be verified and were ignored.',

  // Peer connection
  'peer-connection-failed': 'The direct connection to your peer failed.',
  'peer-unreachable':
    'Could not reach your peer directly. On different networks Duet needs a STUN or TURN server (see the README).',
  'reconnect-failed': 'The connection to your peer was lost and could not be restored.',
  'new-session': 'A new session started in this room (your peer may have reloaded the page). Compare the new safety code.',
  'peer-left-early': 'The other person left before the secure connection was ready. No messages were exchanged.',
  'peer-unavailable': 'This browser cannot make peer-to-peer connections (WebRTC is unavailable).',
  'relay-unavailable':
    'You asked to hide your IP address from your peer, but this Duet server offers no relay (TURN) server, so Duet did not connect. Turn the option off to connect directly.',
  'relay-failed':
    'You asked to hide your IP address from your peer, but the relay (TURN) server could not be used: it refused the credentials this Duet server gave, or did not answer. Duet did not connect. Try again later, or turn the option off to connect directly.',

  // Handshake and records
  'insecure-context':
    'Duet needs a secure page (https:// or localhost) to use your browser’s encryption. Open it over HTTPS.',
  'crypto-unavailable': 'Your browser’s encryption (WebCrypto) is not available.',
  'handshake-timeout': 'Your peer did not complete the secure handshake in time.',
  'handshake-failed': 'The secure handshake failed. The connection may be intercepted; no messages were exchanged.',
  'handshake-malformed': 'Your peer sent a malformed handshake message.',
  'unsupported-version': 'Your peer uses an incompatible version of Duet.',
  'record-malformed': 'A malformed message was received and discarded.',
  'record-too-large': 'A message was too large and was discarded.',
  'record-forged': 'A message failed its integrity check and was discarded.',
  'record-replayed': 'A replayed or out-of-order message was discarded.',
  'identity-invalid': 'Your peer’s device identity could not be verified. Treat this conversation as from an unknown device.',
  'identity-changed':
    'This person’s device identity changed since you last talked. It may be a new device, or someone else using their name. Compare the safety code before you trust it.',
  'identity-lookalike':
    'This name looks like the name of someone you talked to before, but it is not the same name. It may be someone else pretending to be them. Compare the safety code before you trust it.',
  'storage-unavailable': 'This browser does not allow Duet to remember this device (storage is disabled).',
  'message-too-long': 'This message is too long to send.',
  'identity-file-missing': 'No identity key file was found. Create one with `duet keys`, or leave out --remember.',
  'identity-file-invalid': 'The identity key file is damaged or is not a Duet identity key. Create a new one with `duet keys --force`.',
  'identity-file-exposed': 'The identity key file can be read by other users of this computer. Make it private (chmod 600) and try again.',
  'identity-file-exists': 'An identity key file is already there, and Duet does not replace it unless you ask (--force). Replacing it means people who know you will see a warning.',
  'known-peers-invalid': 'The file of people you talked to before is damaged. Move it away (a new one is started) and try again.',

  // Files
  'file-corrupt': 'The file did not match its checksum, so it was discarded. Ask for it again.',
  'file-interrupted': 'The connection broke during the file transfer. Send the file again.',
  'file-unexpected': 'File data arrived that does not belong to any transfer you accepted, and was discarded.',
  'file-read-failed': 'The file could not be read from your device.',
  'file-write-failed': 'The file could not be written on your device.',
  'file-peer-failed': 'The file transfer failed on the other side.',
  'too-many-files': 'Your peer offered too many files at once; the extra ones were declined.',
  'not-connected': 'You are not connected to your peer.',
  'app-load-failed': 'Part of Duet could not be loaded. Check your connection and reload the page.',
} as const;

export type ErrorCode = keyof typeof ERROR_MESSAGES;

export class DuetError extends Error {
  override readonly name = 'DuetError';
  readonly code: ErrorCode;

  constructor(code: ErrorCode, detail?: string, options?: { cause?: unknown }) {
    // The user-facing sentence is always the catalogue's; `detail` is for logs and
    // tests and must never contain secrets or peer-controlled content.
    super(detail ? `${ERROR_MESSAGES[code]} (${detail})` : ERROR_MESSAGES[code], options);
    this.code = code;
  }

  /** The sentence to show a person: the catalogue text, never internal detail. */
  get userMessage(): string {
    return ERROR_MESSAGES[this.code];
  }
}

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(ERROR_MESSAGES, value);
}

/** Wraps anything thrown into a DuetError, keeping DuetErrors as they are. */
export function toDuetError(error: unknown, fallback: ErrorCode): DuetError {
  if (error instanceof DuetError) return error;
  return new DuetError(fallback, undefined, { cause: error });
}
