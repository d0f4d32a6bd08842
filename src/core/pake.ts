/**
 * Short codes people can read aloud ("7-tiger-ocean") are far too weak to be keys.
 * Duet turns one into a strong shared key with CPace, a balanced PAKE
 * (draft-irtf-cfrg-cpace), on ristretto255:
 *
 *   G  = hash_to_ristretto255(lp("duet/v1/cpace") || lp(password) || lp(channel))   (RFC 9380, DST below)
 *   Y  = y·G for a fresh random scalar y; both sides send Y
 *   K  = y·Y_peer; ISK material = HKDF(K, salt = SHA-256(Y_host || Y_guest), …)
 *
 * An eavesdropper (or the signaling server) learns nothing it can test guesses
 * against offline; an active attacker gets exactly one guess per run, and a wrong
 * guess is caught by the key confirmation, which ends the room on both sides.
 * WebCrypto has no PAKE or ristretto255, so only the group arithmetic comes from
 * @noble/curves (audited); hashing and key derivation stay in WebCrypto.
 */
import { ristretto255, ristretto255_hasher } from '@noble/curves/ed25519.js';
import { type Bytes, type RandomSource, bytesEqual, concatBytes, lengthPrefixed, secureRandom, utf8Encode } from './bytes.ts';
import { DuetError } from './errors.ts';
import { hkdfBytes, hkdfHmacKey, importHkdfKey, sha256 } from './kdf.ts';
import type { Role } from './roles.ts';

import { PAKE_CONFIRM_BYTES, PAKE_SHARE_BYTES } from './short-code.ts';

const DST = utf8Encode('duet/v1/cpace-ristretto255-sha512');

export const PAKE_LABELS = {
  generator: 'duet/v1/cpace',
  secret: 'duet/v1/pake/secret',
  confirmHost: 'duet/v1/pake/confirm/host',
  confirmGuest: 'duet/v1/pake/confirm/guest',
} as const;

type Point = InstanceType<typeof ristretto255.Point>;

function generator(password: string, channel: string): Point {
  const input = concatBytes(
    lengthPrefixed(utf8Encode(PAKE_LABELS.generator)),
    lengthPrefixed(utf8Encode(password)),
    lengthPrefixed(utf8Encode(channel)),
  );
  return ristretto255_hasher.hashToCurve(input, { DST }) as Point;
}

function randomScalar(random: RandomSource): bigint {
  // 64 random bytes reduced modulo the group order: bias below 2^-250.
  const wide = random(64);
  let value = 0n;
  for (const byte of wide) value = (value << 8n) | BigInt(byte);
  const scalar = ristretto255.Point.Fn.create(value);
  return scalar === 0n ? 1n : scalar;
}

export interface PakeResult {
  /** 32 bytes of strong key material that replaces the room secret for this room. */
  secret: Bytes;
  /** Our confirmation MAC, to send. */
  localConfirm: Bytes;
  /** Checks the peer's confirmation MAC; false means the codes differed (or someone guessed). */
  verifyPeer(mac: Bytes): Promise<boolean>;
}

/**
 * One side of a CPace run. `channel` binds the run to its room (the nameplate),
 * so a share cannot be replayed into another room.
 */
export class PakeParty {
  readonly share: Bytes;
  private readonly scalar: bigint;

  constructor(
    private readonly role: Role,
    password: string,
    channel: string,
    random: RandomSource = secureRandom,
  ) {
    this.scalar = randomScalar(random);
    this.share = generator(password, channel).multiply(this.scalar).toBytes() as Bytes;
  }

  /** Combines with the peer's share. Throws DuetError('code-mismatch') on an invalid share. */
  async finish(peerShare: Uint8Array): Promise<PakeResult> {
    if (peerShare.length !== PAKE_SHARE_BYTES || bytesEqual(peerShare, this.share)) {
      throw new DuetError('code-mismatch', 'invalid or reflected PAKE share');
    }
    let peerPoint: Point;
    try {
      peerPoint = ristretto255.Point.fromBytes(peerShare) as Point;
    } catch {
      throw new DuetError('code-mismatch', 'PAKE share is not a group element');
    }
    if (peerPoint.is0()) throw new DuetError('code-mismatch', 'PAKE share is the identity');
    const shared = peerPoint.multiply(this.scalar);
    if (shared.is0()) throw new DuetError('code-mismatch', 'degenerate PAKE result');

    const isHost = this.role === 'host';
    const transcript = await sha256(concatBytes(isHost ? this.share : peerShare, isHost ? peerShare : this.share));
    const base = await importHkdfKey(shared.toBytes() as Bytes);
    const [secret, confirmHost, confirmGuest] = await Promise.all([
      hkdfBytes(base, PAKE_LABELS.secret, 32, transcript),
      hkdfHmacKey(base, PAKE_LABELS.confirmHost, transcript),
      hkdfHmacKey(base, PAKE_LABELS.confirmGuest, transcript),
    ]);
    const localKey = isHost ? confirmHost : confirmGuest;
    const peerKey = isHost ? confirmGuest : confirmHost;
    const localConfirm = new Uint8Array(await crypto.subtle.sign('HMAC', localKey, transcript));
    return {
      secret,
      localConfirm,
      verifyPeer: async (mac) => mac.length === PAKE_CONFIRM_BYTES && crypto.subtle.verify('HMAC', peerKey, mac as Bytes, transcript),
    };
  }
}
