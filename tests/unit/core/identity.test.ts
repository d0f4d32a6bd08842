import { describe, expect, it } from 'vitest';
import { fromBase64Url, toBase64Url } from '../../../src/core/bytes.ts';
import { DuetError } from '../../../src/core/errors.ts';
import { generateDeviceIdentity, identityFingerprint, proveIdentity, verifyIdentity } from '../../../src/core/identity.ts';
import { parsePeerMessage, encodePeerMessage } from '../../../src/core/messages.ts';
import { RecordType } from '../../../src/core/record.ts';
import { MemoryDeviceStore } from '../../../src/storage/device-store.ts';

const transcript = new Uint8Array(32).fill(9);

async function codeOf(promise: Promise<unknown>): Promise<string> {
  return promise.then(
    () => 'resolved',
    (e: unknown) => (e instanceof DuetError ? e.code : String(e)),
  );
}

describe('device identity', () => {
  it('keeps the private key non-extractable and proves possession for one session', async () => {
    const identity = await generateDeviceIdentity();
    expect(identity.privateKey.extractable).toBe(false);
    expect(identity.publicKey).toHaveLength(65);
    const proof = await proveIdentity(identity, transcript);
    expect(await verifyIdentity(proof, transcript)).toEqual(identity.publicKey);
  });

  it('refuses a proof for another session, another key, or with altered bytes', async () => {
    const identity = await generateDeviceIdentity();
    const other = await generateDeviceIdentity();
    const proof = await proveIdentity(identity, transcript);
    expect(await codeOf(verifyIdentity(proof, new Uint8Array(32).fill(8)))).toBe('identity-invalid');
    expect(await codeOf(verifyIdentity({ ...proof, publicKey: toBase64Url(other.publicKey) }, transcript))).toBe('identity-invalid');
    const signature = fromBase64Url(proof.signature);
    signature[3] = signature[3]! ^ 1;
    expect(await codeOf(verifyIdentity({ ...proof, signature: toBase64Url(signature) }, transcript))).toBe('identity-invalid');
    expect(await codeOf(verifyIdentity({ publicKey: 'AAAA', signature: proof.signature }, transcript))).toBe('identity-invalid');
  });

  it('shows a stable short fingerprint', async () => {
    const identity = await generateDeviceIdentity();
    const fingerprint = await identityFingerprint(identity.publicKey);
    expect(fingerprint).toMatch(/^[0-9a-f]{4}( [0-9a-f]{4}){3}$/);
    expect(await identityFingerprint(identity.publicKey)).toBe(fingerprint);
  });

  it('travels in the profile record and is validated there', async () => {
    const proof = await proveIdentity(await generateDeviceIdentity(), transcript);
    const profile = { type: 'profile' as const, name: 'Ana', identity: proof };
    expect(parsePeerMessage(RecordType.profile, encodePeerMessage(profile))).toEqual(profile);
    const bad = new TextEncoder().encode(JSON.stringify({ name: 'Ana', identity: { publicKey: 'x', signature: 'y', extra: 1 } }));
    expect(() => parsePeerMessage(RecordType.profile, bad)).toThrow(DuetError);
  });

  it('memory store forgets everything on clear, and knows peers regardless of case', async () => {
    const store = new MemoryDeviceStore();
    const identity = await generateDeviceIdentity();
    await store.saveIdentity(identity);
    await store.putPeer('Bruno', { publicKey: identity.publicKey, verified: true, firstSeen: 1 });
    expect((await store.getPeer('bruno'))?.verified).toBe(true);
    await store.clear();
    expect(await store.loadIdentity()).toBeUndefined();
    expect(await store.getPeer('Bruno')).toBeUndefined();
  });
});
