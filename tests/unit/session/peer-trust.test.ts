/**
 * PeerTrust alone: trust on first use with real ECDSA device keys and proofs over a
 * transcript hash, a memory store standing in for IndexedDB. new → known (→ verified),
 * a different key under a known name is changed, a bad proof is invalid.
 */
import { describe, expect, it } from 'vitest';
import { type Bytes, bytesEqual } from '../../../src/core/bytes.ts';
import { type DeviceIdentity, generateDeviceIdentity, identityFingerprint, proveIdentity } from '../../../src/core/identity.ts';
import { PeerTrust, type PeerTrustHost, loadOrCreateDeviceIdentity } from '../../../src/session/peer-trust.ts';
import { type DeviceStore, type KnownPeer, MemoryDeviceStore } from '../../../src/storage/device-store.ts';
import { ManualClock } from '../helpers/manual-clock.ts';
import { recordingHost } from '../helpers/recording-host.ts';

const transcript = (fill: number) => new Uint8Array(32).fill(fill) as Bytes;

/** This device, with its store, opted in. */
async function thisDevice(store: DeviceStore = new MemoryDeviceStore()) {
  const clock = new ManualClock();
  clock.advance(1_000);
  const recording = recordingHost<PeerTrustHost>({ clock });
  const trust = new PeerTrust(recording.host);
  trust.useDevice(await generateDeviceIdentity(), store);
  return { trust, store, clock, ...recording };
}

/** The peer's profile of one session: its name and its proof over that session's transcript. */
async function meet(trust: PeerTrust, peer: DeviceIdentity, hash: Bytes, name = 'Bruno') {
  return trust.checkPeer(name, await proveIdentity(peer, hash), hash);
}

describe('PeerTrust: trust on first use', () => {
  it('a first meeting is new and remembered; the next session with the same device is known', async () => {
    const store = new MemoryDeviceStore();
    const bruno = await generateDeviceIdentity();
    const fingerprint = await identityFingerprint(bruno.publicKey);
    const first = await thisDevice(store);
    expect(await meet(first.trust, bruno, transcript(1))).toEqual({ kind: 'new', fingerprint });
    const remembered = (await store.getPeer('Bruno')) as KnownPeer;
    expect(bytesEqual(remembered.publicKey, bruno.publicKey)).toBe(true);
    expect(remembered).toMatchObject({ verified: false, firstSeen: 1_000 });
    const second = await thisDevice(store);
    expect(await meet(second.trust, bruno, transcript(2))).toEqual({ kind: 'known', fingerprint, verified: false });
    expect(second.trust.warningPending).toBe(false);
  });

  it('Mark as verified is remembered: the next session is known and verified, first seen unchanged', async () => {
    const store = new MemoryDeviceStore();
    const bruno = await generateDeviceIdentity();
    const first = await thisDevice(store);
    await meet(first.trust, bruno, transcript(1));
    first.clock.advance(5_000);
    first.trust.markVerified();
    expect(first.trust.verified).toBe(true);
    expect(first.trust.identity).toMatchObject({ kind: 'known', verified: true });
    await first.trust.acknowledgeWarning(); // nothing to acknowledge: changes nothing
    expect(await store.getPeer('Bruno')).toMatchObject({ verified: true, firstSeen: 1_000 });
    const second = await thisDevice(store);
    expect(await meet(second.trust, bruno, transcript(2))).toMatchObject({ kind: 'known', verified: true });
  });

  it('a different device under a known name is changed and held behind a warning; acknowledging remembers the new key', async () => {
    const store = new MemoryDeviceStore();
    const bruno = await generateDeviceIdentity();
    const impostor = await generateDeviceIdentity();
    await meet((await thisDevice(store)).trust, bruno, transcript(1));
    const later = await thisDevice(store);
    later.clock.advance(9_000);
    const seen = await meet(later.trust, impostor, transcript(2));
    expect(seen).toEqual({ kind: 'changed', fingerprint: await identityFingerprint(impostor.publicKey), acknowledged: false });
    expect(later.trust.warningPending).toBe(true);
    // Nothing is remembered until the person decides.
    expect(bytesEqual((await store.getPeer('Bruno'))!.publicKey, bruno.publicKey)).toBe(true);
    await later.trust.acknowledgeWarning();
    expect(later.trust.warningPending).toBe(false);
    expect(later.trust.identity).toMatchObject({ kind: 'changed', acknowledged: true });
    expect(later.names()).toContain('changed');
    const now = (await store.getPeer('Bruno'))!;
    expect(bytesEqual(now.publicKey, impostor.publicKey)).toBe(true);
    expect(now).toMatchObject({ verified: false, firstSeen: 10_000 });
    expect(await meet((await thisDevice(store)).trust, impostor, transcript(3))).toMatchObject({ kind: 'known' });
  });

  it('names are compared as the store keys them (case does not make a new person)', async () => {
    const store = new MemoryDeviceStore();
    const bruno = await generateDeviceIdentity();
    await meet((await thisDevice(store)).trust, bruno, transcript(1), 'Bruno');
    expect(await meet((await thisDevice(store)).trust, bruno, transcript(2), 'bruno')).toMatchObject({ kind: 'known' });
  });
});

describe('PeerTrust: proofs that do not hold', () => {
  it('a proof over another session\'s transcript is invalid, with an identity-invalid notice, and nothing is remembered', async () => {
    const { trust, store, argsOf } = await thisDevice();
    const bruno = await generateDeviceIdentity();
    const replayed = await proveIdentity(bruno, transcript(1));
    expect(await trust.checkPeer('Bruno', replayed, transcript(2))).toEqual({ kind: 'invalid', acknowledged: false });
    expect(trust.warningPending).toBe(true);
    expect(argsOf('notify')[0]![0]).toMatchObject({ code: 'identity-invalid' });
    expect(await store.getPeer('Bruno')).toBeUndefined();
    await trust.acknowledgeWarning();
    expect(trust.identity).toEqual({ kind: 'invalid', acknowledged: true });
    expect(await store.getPeer('Bruno')).toBeUndefined();
  });

  it('a proof without a transcript to check it against is invalid', async () => {
    const { trust, names } = await thisDevice();
    const proof = await proveIdentity(await generateDeviceIdentity(), transcript(1));
    expect(await trust.checkPeer('Bruno', proof, undefined)).toEqual({ kind: 'invalid', acknowledged: false });
    // Not the peer's fault: no notice of a bad proof.
    expect(names()).not.toContain('notify');
  });
});

describe('PeerTrust: borrowed and look-alike names', () => {
  it('a remembered name with no proof at all is held behind a warning, and acknowledging remembers nothing', async () => {
    const store = new MemoryDeviceStore();
    const bruno = await generateDeviceIdentity();
    await meet((await thisDevice(store)).trust, bruno, transcript(1));
    const later = await thisDevice(store);
    // Whoever took the name sends no proof, in another case too.
    expect(await later.trust.checkPeer('BRUNO', undefined, transcript(2))).toEqual({ kind: 'unproven', acknowledged: false });
    expect(later.trust.warningPending).toBe(true);
    await later.trust.acknowledgeWarning();
    expect(later.trust.warningPending).toBe(false);
    expect(bytesEqual((await store.getPeer('Bruno'))!.publicKey, bruno.publicKey)).toBe(true);
    // A name never remembered, without a proof, is simply none.
    expect(await (await thisDevice(store)).trust.checkPeer('Carla', undefined, transcript(3))).toEqual({ kind: 'none' });
  });

  it('a name that only looks like a remembered one (Cyrillic letters, full-width forms) is a look-alike warning, with or without a key', async () => {
    const store = new MemoryDeviceStore();
    const alice = await generateDeviceIdentity();
    const mallory = await generateDeviceIdentity();
    await meet((await thisDevice(store)).trust, alice, transcript(1), 'Alice');
    // CYRILLIC CAPITAL LETTER A, CYRILLIC SMALL LETTER IE, CYRILLIC SMALL LETTER BYELORUSSIAN-UKRAINIAN I.
    for (const lookalike of ['\u0410lice', 'Alic\u0435', 'Al\u0456ce']) {
      const withKey = await thisDevice(store);
      expect(await meet(withKey.trust, mallory, transcript(2), lookalike), lookalike).toEqual({ kind: 'lookalike', rememberedName: 'alice', acknowledged: false });
      expect(withKey.trust.warningPending).toBe(true);
      const without = await thisDevice(store);
      expect(await without.trust.checkPeer(lookalike, undefined, transcript(3)), lookalike).toEqual({ kind: 'lookalike', rememberedName: 'alice', acknowledged: false });
    }
    // Nothing was remembered under the look-alikes while they waited.
    expect(await store.peerKeys()).toEqual(['alice']);
    // Full-width letters and compatibility forms are the same name after NFKC, not a look-alike:
    // Alice's own key is known, and another key under them is a changed key.
    expect(await meet((await thisDevice(store)).trust, alice, transcript(4), '\uFF21lice')).toMatchObject({ kind: 'known' });
    expect(await meet((await thisDevice(store)).trust, mallory, transcript(4), 'A\u217Cice')).toMatchObject({ kind: 'changed' });
    // The same device under a look-alike of its own name is no impostor.
    expect(await meet((await thisDevice(store)).trust, alice, transcript(5), '\u0410lice')).toMatchObject({ kind: 'new' });
  });

  it('acknowledging a look-alike with a key remembers that key under its own name', async () => {
    const store = new MemoryDeviceStore();
    await meet((await thisDevice(store)).trust, await generateDeviceIdentity(), transcript(1), 'Alice');
    const mallory = await generateDeviceIdentity();
    const later = await thisDevice(store);
    await meet(later.trust, mallory, transcript(2), '\u0410lice');
    await later.trust.acknowledgeWarning();
    expect(bytesEqual((await store.getPeer('\u0410lice'))!.publicKey, mallory.publicKey)).toBe(true);
    expect(await meet((await thisDevice(store)).trust, mallory, transcript(3), '\u0410lice')).toMatchObject({ kind: 'known' });
  });
});

describe('PeerTrust: without a store, or with a broken one', () => {
  it('no proof is none; a proof without this device opted in is unchecked (never stored)', async () => {
    const clock = new ManualClock();
    const trust = new PeerTrust(recordingHost<PeerTrustHost>({ clock }).host);
    expect(await trust.prove(transcript(1))).toBeUndefined();
    expect(await trust.checkPeer('Bruno', undefined, transcript(1))).toEqual({ kind: 'none' });
    const bruno = await generateDeviceIdentity();
    expect(await meet(trust, bruno, transcript(1))).toEqual({ kind: 'unchecked', fingerprint: await identityFingerprint(bruno.publicKey) });
  });

  it('a store that fails leaves the peer unchecked, with a storage-unavailable notice', async () => {
    const broken: DeviceStore = Object.assign(new MemoryDeviceStore(), { getPeer: () => Promise.reject(new Error('quota')) });
    const { trust, argsOf } = await thisDevice(broken);
    expect(await meet(trust, await generateDeviceIdentity(), transcript(1))).toMatchObject({ kind: 'unchecked' });
    expect(argsOf('notify')[0]![0]).toMatchObject({ code: 'storage-unavailable' });
  });

  it('our own proof verifies against the same transcript', async () => {
    const a = await thisDevice();
    const proof = (await a.trust.prove(transcript(4)))!;
    const b = await thisDevice();
    expect(await b.trust.checkPeer('Alice', proof, transcript(4))).toMatchObject({ kind: 'new' });
  });

  it('forgetPeer: nothing of the last peer carries over', async () => {
    const { trust } = await thisDevice();
    await meet(trust, await generateDeviceIdentity(), transcript(1));
    trust.markVerified();
    trust.forgetPeer();
    expect(trust.identity).toEqual({ kind: 'none' });
    expect(trust.verified).toBe(false);
  });

  it('loadOrCreateDeviceIdentity makes the key once and then loads it', async () => {
    const store = new MemoryDeviceStore();
    const first = await loadOrCreateDeviceIdentity(store);
    const again = await loadOrCreateDeviceIdentity(store);
    expect(again).toBe(first);
    expect(await store.loadIdentity()).toBe(first);
  });
});
