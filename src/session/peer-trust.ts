/**
 * "Remember me on this device": this device's long-term identity, and what it knows
 * of the peer's. Each session the peer's profile may carry a proof (a signature over
 * the transcript hash); it is checked and compared with the key remembered under the
 * peer's name (trust on first use). 'changed' and 'invalid' hold the conversation
 * behind a warning until the person decides.
 */
import { type Bytes, bytesEqual } from '../core/bytes.ts';
import type { Clock } from '../core/clock.ts';
import { type DuetError, type ErrorCode, toDuetError } from '../core/errors.ts';
import {
  type DeviceIdentity,
  type IdentityProof,
  generateDeviceIdentity,
  identityFingerprint,
  proveIdentity,
  verifyIdentity,
} from '../core/identity.ts';
import { peerKey } from '../core/names.ts';
import type { DeviceStore } from '../storage/device-store.ts';

/** What we know of the peer's device. */
export type PeerIdentity =
  | { kind: 'none' }
  | { kind: 'unchecked'; fingerprint: string }
  | { kind: 'new'; fingerprint: string }
  | { kind: 'known'; fingerprint: string; verified: boolean }
  | { kind: 'changed'; fingerprint: string; acknowledged: boolean }
  /** A name this device remembers with a device key, this time with no proof at all. */
  | { kind: 'unproven'; acknowledged: boolean }
  /** A name this device does not know that looks like one it does (another script, say), under another key or none. */
  | { kind: 'lookalike'; rememberedName: string; acknowledged: boolean }
  | { kind: 'invalid'; acknowledged: boolean };

type WarningIdentity = Extract<PeerIdentity, { acknowledged: boolean }>;

/** The sentence a person reads for each identity they must decide on (the page and the terminal). */
export const IDENTITY_WARNING_CODES: Record<WarningIdentity['kind'], ErrorCode> = {
  invalid: 'identity-invalid',
  changed: 'identity-changed',
  unproven: 'identity-changed',
  lookalike: 'identity-lookalike',
};

function isWarning(identity: PeerIdentity): identity is WarningIdentity {
  return 'acknowledged' in identity;
}

/**
 * The UTS #39 skeleton of a stored name: two names with the same skeleton look alike.
 * The confusables table (Unicode's, through unhomoglyph) loads only when a check needs it.
 */
async function skeleton(key: string): Promise<string> {
  const { default: unhomoglyph } = await import('unhomoglyph');
  return unhomoglyph(key.normalize('NFD')).normalize('NFD');
}

export interface PeerTrustHost {
  clock: Clock;
  changed(): void;
  notify(error: DuetError): void;
}

/** Loads this device's identity key from `store`, or makes and saves one the first time. */
export async function loadOrCreateDeviceIdentity(store: DeviceStore): Promise<DeviceIdentity> {
  const existing = await store.loadIdentity();
  if (existing) return existing;
  const identity = await generateDeviceIdentity();
  await store.saveIdentity(identity);
  return identity;
}

export class PeerTrust {
  identity: PeerIdentity = { kind: 'none' };
  /** The person said the safety codes matched. */
  verified = false;
  private device: { identity: DeviceIdentity; store: DeviceStore } | undefined;
  private peerPublicKey: Bytes | undefined;
  private peerName = '';

  constructor(private readonly host: PeerTrustHost) {}

  /** Opt in for this conversation (before creating or joining). */
  useDevice(identity: DeviceIdentity, store: DeviceStore): void {
    this.device = { identity, store };
  }

  /** True while a changed, unproven, look-alike or invalid peer identity waits for the person's decision. */
  get warningPending(): boolean {
    const identity = this.identity;
    return isWarning(identity) && !identity.acknowledged;
  }

  /** Our proof for this session's transcript, when the person opted in. */
  prove(transcriptHash: Bytes): Promise<IdentityProof | undefined> {
    return this.device ? proveIdentity(this.device.identity, transcriptHash) : Promise.resolve(undefined);
  }

  /** The peer's profile arrived: checks its proof (if any) against this session's transcript and what this device remembers. */
  async checkPeer(name: string, proof: IdentityProof | undefined, transcriptHash: Bytes | undefined): Promise<PeerIdentity> {
    this.peerName = name;
    this.identity = proof ? await this.check(name, proof, transcriptHash) : await this.checkUnproven(name);
    return this.identity;
  }

  /**
   * No proof. Fine for a name this device never remembered; but a remembered name, or one
   * that looks like it, without its key is exactly what someone borrowing it would send.
   */
  private async checkUnproven(name: string): Promise<PeerIdentity> {
    const store = this.device?.store;
    if (!store) return { kind: 'none' };
    try {
      if (await store.getPeer(name)) return { kind: 'unproven', acknowledged: false };
      const similar = await this.lookalikeOf(name, undefined);
      return similar === undefined ? { kind: 'none' } : { kind: 'lookalike', rememberedName: similar, acknowledged: false };
    } catch (error) {
      this.host.notify(toDuetError(error, 'storage-unavailable'));
      return { kind: 'none' };
    }
  }

  /** A remembered name (its stored key) that looks like `name` but is not it, held under another key than `publicKey`. */
  private async lookalikeOf(name: string, publicKey: Bytes | undefined): Promise<string | undefined> {
    const store = this.device!.store;
    const key = peerKey(name);
    const target = await skeleton(key);
    for (const remembered of await store.peerKeys()) {
      if (remembered === key || (await skeleton(remembered)) !== target) continue;
      const known = await store.getPeer(remembered);
      if (!known || !publicKey || !bytesEqual(known.publicKey, publicKey)) return remembered;
    }
    return undefined;
  }

  private async check(name: string, proof: IdentityProof, transcriptHash: Bytes | undefined): Promise<PeerIdentity> {
    if (!transcriptHash) return { kind: 'invalid', acknowledged: false };
    let publicKey: Bytes;
    try {
      publicKey = await verifyIdentity(proof, transcriptHash);
    } catch (error) {
      this.host.notify(toDuetError(error, 'identity-invalid'));
      return { kind: 'invalid', acknowledged: false };
    }
    this.peerPublicKey = publicKey;
    const fingerprint = await identityFingerprint(publicKey);
    const store = this.device?.store;
    if (!store) return { kind: 'unchecked', fingerprint };
    try {
      const known = await store.getPeer(name);
      if (!known) {
        const similar = await this.lookalikeOf(name, publicKey);
        if (similar !== undefined) return { kind: 'lookalike', rememberedName: similar, acknowledged: false };
        await store.putPeer(name, { publicKey, verified: false, firstSeen: this.host.clock.now() });
        return { kind: 'new', fingerprint };
      }
      if (bytesEqual(known.publicKey, publicKey)) return { kind: 'known', fingerprint, verified: known.verified };
      return { kind: 'changed', fingerprint, acknowledged: false };
    } catch (error) {
      this.host.notify(toDuetError(error, 'storage-unavailable'));
      return { kind: 'unchecked', fingerprint };
    }
  }

  /** The person chose to go on despite the warning; a changed key is remembered from now on. */
  async acknowledgeWarning(): Promise<void> {
    const identity = this.identity;
    if (!isWarning(identity)) return;
    this.identity = { ...identity, acknowledged: true };
    this.host.changed();
    // A changed key, or a look-alike name with a key of its own, is remembered from now on.
    if ((identity.kind === 'changed' || identity.kind === 'lookalike') && this.peerPublicKey) {
      await this.remember(false).catch((error: unknown) => this.host.notify(toDuetError(error, 'storage-unavailable')));
    }
  }

  /** The person compared the safety codes with their peer and they matched. */
  markVerified(): void {
    this.verified = true;
    const identity = this.identity;
    if (identity.kind === 'new' || identity.kind === 'known' || (identity.kind === 'changed' && identity.acknowledged)) {
      this.identity = { kind: 'known', fingerprint: identity.fingerprint, verified: true };
      // Remembered, so next time this device already knows the codes were compared.
      void this.remember(true).catch((error: unknown) => this.host.notify(toDuetError(error, 'storage-unavailable')));
    }
    this.host.changed();
  }

  /**
   * A new session with whoever joins next: nothing of the last peer carries over. (Not
   * on a dropped connection: a resumed session is the same peer, still trusted as before.)
   */
  forgetPeer(): void {
    this.identity = { kind: 'none' };
    this.verified = false;
    this.peerPublicKey = undefined;
    this.peerName = '';
  }

  private async remember(verified: boolean): Promise<void> {
    if (!this.device || !this.peerPublicKey || !this.peerName) return;
    const known = await this.device.store.getPeer(this.peerName);
    const sameKey = known && bytesEqual(known.publicKey, this.peerPublicKey);
    await this.device.store.putPeer(this.peerName, {
      publicKey: this.peerPublicKey,
      verified,
      firstSeen: sameKey ? known.firstSeen : this.host.clock.now(),
    });
  }
}
