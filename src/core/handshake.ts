/**
 * The Duet handshake: the original project's RSA key transport, made hybrid and
 * bound to everything an attacker in the middle would have to change.
 *
 *   1. HELLO   each side sends a fresh nonce, an ephemeral ECDH P-256 share, a
 *              commitment to the secret it will send in KEY (a hash, as ZRTP does),
 *              the id (a hash) of the pre-shared key it holds, and its session
 *              RSA-OAEP public key (SPKI).
 *   2. KEY     each side sends 32 fresh secret bytes, RSA-OAEP encrypted to the
 *              peer's public key (the seed's shared-secret exchange).
 *   3. CONFIRM each side proves it derived the same keys: an HMAC over the
 *              transcript hash. A mismatch means someone changed something.
 *
 * Keys come from HKDF-SHA256 over both RSA-transported secrets, the ECDH shared
 * secret (forward secrecy) and the room's pre-shared key (binds the session to
 * the invite secret the server never saw), salted with the transcript hash (both
 * HELLOs, both KEYs, both DTLS fingerprints). The safety code is salted with the
 * HELLOs alone: everything it depends on is fixed before either secret is revealed,
 * so someone in the middle (even one holding the link) cannot grind their own
 * values until the two codes they show look alike. Byte layouts: docs/PROTOCOL.md.
 */
import { type Bytes, type RandomSource, bytesEqual, secureRandom } from './bytes.ts';
import { type Clock, sleep, systemClock } from './clock.ts';
import { DuetError } from './errors.ts';
import {
  HandshakeType,
  NONCE_BYTES,
  SECRET_BYTES,
  encodeConfirm,
  encodeHello,
  encodeKey,
  handshakeTypeOf,
  importPeerEcdhKey,
  importPeerRsaKey,
  parseConfirm,
  parseHello,
  parseKey,
  pskId,
  secretCommitment,
} from './handshake-wire.ts';
import { type SessionKeys, deriveSessionKeys, fullTranscriptHash, helloTranscriptHash, safetySalt } from './key-schedule.ts';
import { type Role } from './roles.ts';

export * from './handshake-wire.ts';
export * from './key-schedule.ts';

export interface HandshakeConfig {
  /** RSA modulus in bits (seed: KEY_SIZE = 2048). */
  rsaModulusLength: number;
  /** RSA public exponent (seed: PUBLIC_EXPONENT = 65537). */
  rsaPublicExponent: number;
  /** How long each step waits for the peer (seed: REQUEST_TIMEOUT = 5 s). */
  stepTimeoutMs: number;
  /** Attempts per step before giving up (seed: MAX_HANDSHAKE_ATTEMPTS = 5). */
  maxAttempts: number;
  /** Pause before re-sending a step (seed: HANDSHAKE_RETRY_DELAY = 1 s). */
  retryDelayMs: number;
}

export const DEFAULT_HANDSHAKE_CONFIG: HandshakeConfig = {
  rsaModulusLength: 2048,
  rsaPublicExponent: 65537,
  stepTimeoutMs: 5000,
  maxAttempts: 5,
  retryDelayMs: 1000,
};

export interface RsaIdentity {
  publicKey: CryptoKey;
  /** Non-extractable: the private key never leaves WebCrypto. */
  privateKey: CryptoKey;
  spki: Bytes;
}

function exponentBytes(exponent: number): Bytes {
  const bytes: number[] = [];
  for (let e = exponent; e > 0; e = Math.floor(e / 256)) bytes.unshift(e % 256);
  return new Uint8Array(bytes);
}

/** Generates the session's RSA-OAEP (SHA-256) key pair, private key non-extractable. */
export async function generateRsaIdentity(config: Pick<HandshakeConfig, 'rsaModulusLength' | 'rsaPublicExponent'>): Promise<RsaIdentity> {
  const pair = await crypto.subtle.generateKey(
    {
      name: 'RSA-OAEP',
      modulusLength: config.rsaModulusLength,
      publicExponent: exponentBytes(config.rsaPublicExponent),
      hash: 'SHA-256',
    },
    false,
    ['encrypt', 'decrypt'],
  );
  const spki = new Uint8Array(await crypto.subtle.exportKey('spki', pair.publicKey));
  return { publicKey: pair.publicKey, privateKey: pair.privateKey, spki };
}


export interface HandshakeOptions {
  role: Role;
  identity: RsaIdentity;
  /** Pre-shared key derived from the room secret, or the last session's resumption secret. */
  psk: Bytes;
  /**
   * Resuming: the resumption secret before `psk`. If the last resumed handshake finished
   * on our side only (its final CONFIRM was lost), the peer still holds this one and
   * names it in its HELLO; both then use it, so a lost message cannot leave the two
   * sides with different secrets for good.
   */
  previousPsk?: Bytes;
  /**
   * Both DTLS fingerprints, from the local and the remote SDP. Awaited only once the
   * transcript needs them (after KEY), so the handshake can start while the offer and
   * answer are still on their way.
   */
  fingerprints: () => Promise<{ local: string; remote: string }>;
  /** Sends one handshake message to the peer (in the app: a sealed signal through the server). */
  send: (message: Bytes) => void;
  config?: Partial<HandshakeConfig>;
  clock?: Clock;
  random?: RandomSource;
}

type StepResult = { kind: 'message'; message: Bytes } | { kind: 'timeout' };

/**
 * Runs one handshake. Feed every incoming handshake message to `receive()`
 * (messages that arrive before `run()` reaches them are kept), await `run()`.
 * Any failure rejects `run()` with a DuetError and the handshake is over.
 */
export class Handshake {
  private readonly options: HandshakeOptions;
  private readonly config: HandshakeConfig;
  private readonly clock: Clock;
  private readonly random: RandomSource;
  private readonly inbox = new Map<HandshakeType, Bytes>();
  /** Everything we sent so far; a retry re-sends all of it, so a lost earlier step is repaired too. */
  private readonly flight: Bytes[] = [];
  private waiter: { type: HandshakeType; resolve: (result: StepResult) => void } | undefined;
  private failure: DuetError | undefined;
  private rejectRun: ((error: DuetError) => void) | undefined;

  constructor(options: HandshakeOptions) {
    this.options = options;
    this.config = { ...DEFAULT_HANDSHAKE_CONFIG, ...options.config };
    this.clock = options.clock ?? systemClock;
    this.random = options.random ?? secureRandom;
  }

  /** Takes one message from the peer. Byte-identical retransmissions are ignored. */
  receive(message: Bytes): void {
    if (this.failure) return;
    let type: HandshakeType;
    try {
      type = handshakeTypeOf(message);
    } catch (error) {
      this.fail(error as DuetError);
      return;
    }
    const earlier = this.inbox.get(type);
    if (earlier) {
      // The peer re-sent a step after a timeout: the same bytes are harmless, different
      // bytes mean two different peers (or an attacker) are talking.
      if (!bytesEqual(earlier, message)) this.fail(new DuetError('handshake-failed', 'conflicting retransmission'));
      return;
    }
    this.inbox.set(type, message);
    if (this.waiter?.type === type) {
      const { resolve } = this.waiter;
      this.waiter = undefined;
      resolve({ kind: 'message', message });
    }
  }

  /** Ends the handshake from outside (channel closed, user left). */
  abort(error: DuetError): void {
    this.fail(error);
  }

  async run(): Promise<SessionKeys> {
    const aborted = new Promise<never>((_, reject) => {
      this.rejectRun = reject;
    });
    aborted.catch(() => {});
    if (this.failure) throw this.failure;
    try {
      return await Promise.race([this.steps(), aborted]);
    } catch (error) {
      const duetError = error instanceof DuetError ? error : new DuetError('handshake-failed', undefined, { cause: error });
      this.fail(duetError);
      throw duetError;
    }
  }

  private fail(error: DuetError): void {
    if (this.failure) return;
    this.failure = error;
    this.rejectRun?.(error);
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.resolve({ kind: 'timeout' });
  }

  private async steps(): Promise<SessionKeys> {
    const { role, identity } = this.options;
    const ecdh = (await crypto.subtle.generateKey({ name: 'ECDH', namedCurve: 'P-256' }, false, ['deriveBits'])) as CryptoKeyPair;
    const ecdhPublic = new Uint8Array(await crypto.subtle.exportKey('raw', ecdh.publicKey));
    const localSecret = this.random(SECRET_BYTES);
    const commitment = await secretCommitment(localSecret);
    const localHello = encodeHello({ nonce: this.random(NONCE_BYTES), ecdhPublic, commitment, pskId: await pskId(this.options.psk), rsaSpki: identity.spki });

    const peerHelloBytes = await this.exchange(HandshakeType.hello, localHello);
    const peerHello = parseHello(peerHelloBytes);
    if (bytesEqual(peerHello.rsaSpki, identity.spki) || bytesEqual(peerHello.ecdhPublic, ecdhPublic)) {
      // Our own HELLO reflected back at us.
      throw new DuetError('handshake-failed', 'reflected HELLO');
    }
    const [peerRsa, peerEcdh] = await Promise.all([importPeerRsaKey(peerHello.rsaSpki), importPeerEcdhKey(peerHello.ecdhPublic)]);
    const psk = await this.agreedPsk(peerHello.pskId);

    const encryptedSecret = new Uint8Array(await crypto.subtle.encrypt({ name: 'RSA-OAEP' }, peerRsa, localSecret));
    const localKey = encodeKey(encryptedSecret);
    const peerKeyBytes = await this.exchange(HandshakeType.key, localKey);
    let peerSecret: Bytes;
    try {
      peerSecret = new Uint8Array(await crypto.subtle.decrypt({ name: 'RSA-OAEP' }, identity.privateKey, parseKey(peerKeyBytes)));
    } catch (error) {
      if (error instanceof DuetError) throw error;
      throw new DuetError('handshake-failed', 'KEY did not decrypt');
    }
    if (peerSecret.length !== SECRET_BYTES) throw new DuetError('handshake-failed', 'KEY has the wrong size');
    if (!bytesEqual(await secretCommitment(peerSecret), peerHello.commitment)) throw new DuetError('handshake-failed', 'KEY does not match its HELLO commitment');
    const ecdhShared = new Uint8Array(await crypto.subtle.deriveBits({ name: 'ECDH', public: peerEcdh }, ecdh.privateKey, 256));

    const isHost = role === 'host';
    const fingerprints = await this.options.fingerprints();
    if (this.failure) throw this.failure;
    const helloHash = await helloTranscriptHash({
      helloHost: isHost ? localHello : peerHelloBytes,
      helloGuest: isHost ? peerHelloBytes : localHello,
      fingerprintHost: isHost ? fingerprints.local : fingerprints.remote,
      fingerprintGuest: isHost ? fingerprints.remote : fingerprints.local,
    });
    const transcriptHash = await fullTranscriptHash(helloHash, isHost ? localKey : peerKeyBytes, isHost ? peerKeyBytes : localKey);
    const keys = await deriveSessionKeys({
      role,
      secretHost: isHost ? localSecret : peerSecret,
      secretGuest: isHost ? peerSecret : localSecret,
      ecdhShared,
      psk,
      transcriptHash,
      safetySalt: await safetySalt(isHost ? localHello : peerHelloBytes, isHost ? peerHelloBytes : localHello),
    });

    const localMac = new Uint8Array(await crypto.subtle.sign('HMAC', keys.confirmLocal, transcriptHash));
    const peerConfirm = parseConfirm(await this.exchange(HandshakeType.confirm, encodeConfirm(localMac)));
    const confirmed = await crypto.subtle.verify('HMAC', keys.confirmPeer, peerConfirm, transcriptHash);
    if (!confirmed) throw new DuetError('handshake-failed', 'key confirmation mismatch');

    const { sendAes, sendMac, receiveAes, receiveMac, safetyCode, resumptionSecret } = keys;
    return { sendAes, sendMac, receiveAes, receiveMac, safetyCode, transcriptHash, resumptionSecret, pskUsed: psk };
  }

  /**
   * Our PSK, unless the peer names our previous one: then the peer missed the last
   * switch and we go back to it (the peer, seeing a PSK id it does not hold, keeps its
   * own, which is that one). Any other mismatch fails at CONFIRM, as before.
   */
  private async agreedPsk(peerPskId: Bytes): Promise<Bytes> {
    const { psk, previousPsk } = this.options;
    if (previousPsk && !bytesEqual(peerPskId, await pskId(psk)) && bytesEqual(peerPskId, await pskId(previousPsk))) return previousPsk;
    return psk;
  }

  /**
   * Sends our message for a step and waits for the peer's. On timeout it re-sends
   * the whole flight so far: the peer ignores byte-identical copies it already has.
   */
  private async exchange(type: HandshakeType, message: Bytes): Promise<Bytes> {
    this.flight.push(message);
    for (let attempt = 1; attempt <= this.config.maxAttempts; attempt++) {
      if (this.failure) throw this.failure;
      if (attempt === 1) this.options.send(message);
      else this.flight.forEach((sent) => this.options.send(sent));
      const result = await this.waitFor(type);
      if (this.failure) throw this.failure;
      if (result.kind === 'message') return result.message;
      if (attempt < this.config.maxAttempts) await sleep(this.clock, this.config.retryDelayMs);
    }
    throw new DuetError('handshake-timeout', `no reply after ${this.config.maxAttempts} attempts`);
  }

  private waitFor(type: HandshakeType): Promise<StepResult> {
    const ready = this.inbox.get(type);
    if (ready) return Promise.resolve({ kind: 'message', message: ready });
    return new Promise<StepResult>((resolve) => {
      const cancel = this.clock.setTimeout(() => {
        if (this.waiter?.type === type) this.waiter = undefined;
        resolve({ kind: 'timeout' });
      }, this.config.stepTimeoutMs);
      this.waiter = {
        type,
        resolve: (result) => {
          cancel();
          resolve(result);
        },
      };
    });
  }
}
