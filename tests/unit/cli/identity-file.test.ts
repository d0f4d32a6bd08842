import { chmod, mkdtemp, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  FileDeviceStore,
  createIdentityFile,
  defaultIdentityPath,
  knownPeersPathFor,
  loadIdentityFile,
} from '../../../src/cli/identity-file.ts';
import { DuetError } from '../../../src/core/errors.ts';
import { identityFingerprint, proveIdentity, verifyIdentity } from '../../../src/core/identity.ts';
import { PeerTrust } from '../../../src/session/peer-trust.ts';
import { ManualClock } from '../helpers/manual-clock.ts';

const tempDir = () => mkdtemp(join(tmpdir(), 'duet-identity-'));
const modeOf = async (path: string) => (await stat(path)).mode & 0o777;

async function codeOf(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DuetError);
  return (error as DuetError).code;
}

describe('where the identity lives', () => {
  it('is $XDG_CONFIG_HOME/duet/identity.json, else ~/.config/duet/identity.json, with its known peers beside it', () => {
    expect(defaultIdentityPath({ XDG_CONFIG_HOME: '/cfg', HOME: '/home/ana' })).toBe('/cfg/duet/identity.json');
    expect(defaultIdentityPath({ HOME: '/home/ana' })).toBe('/home/ana/.config/duet/identity.json');
    expect(knownPeersPathFor('/cfg/duet/identity.json')).toBe('/cfg/duet/identity.known-peers.json');
    expect(knownPeersPathFor('/keys/work')).toBe('/keys/work.known-peers.json');
  });
});

describe('duet keys', () => {
  it('saves a new key readable only by its owner (0600, in a 0700 directory it makes) and gives its fingerprint', async () => {
    const dir = await tempDir();
    const path = join(dir, 'duet', 'identity.json');
    const created = await createIdentityFile(path, false);
    expect(await modeOf(path)).toBe(0o600);
    expect(await modeOf(join(dir, 'duet'))).toBe(0o700);
    expect(await readdir(join(dir, 'duet'))).toEqual(['identity.json']);
    const identity = await loadIdentityFile(path);
    expect(created.fingerprint).toBe(await identityFingerprint(identity.publicKey));
    expect(created.fingerprint).toMatch(/^[0-9a-f]{4}( [0-9a-f]{4}){3}$/);
  });

  it('refuses to replace an existing file unless forced, and then makes a different key, still 0600', async () => {
    const dir = await tempDir();
    const path = join(dir, 'identity.json');
    const first = await createIdentityFile(path, false);
    const before = await readFile(path, 'utf8');
    expect(await codeOf(createIdentityFile(path, false))).toBe('identity-file-exists');
    expect(await readFile(path, 'utf8')).toBe(before);
    await chmod(path, 0o644);
    const second = await createIdentityFile(path, true);
    expect(second.fingerprint).not.toBe(first.fingerprint);
    expect(await modeOf(path)).toBe(0o600);
    expect(await readdir(dir)).toEqual(['identity.json']);
  });

  it('never writes through a file it cannot replace: a directory in the way is a named write error', async () => {
    const dir = await tempDir();
    expect(await codeOf(createIdentityFile(dir, true))).toBe('file-write-failed');
  });
});

describe('using the key (--remember)', () => {
  it('imports the private key as non-extractable, and it proves the identity a peer checks', async () => {
    const path = join(await tempDir(), 'identity.json');
    await createIdentityFile(path, false);
    const identity = await loadIdentityFile(path);
    expect(identity.privateKey.extractable).toBe(false);
    const transcript = new Uint8Array(32).fill(7);
    expect(await verifyIdentity(await proveIdentity(identity, transcript), transcript)).toEqual(identity.publicKey);
  });

  it('names each problem: no file, a file others can read, a file that is not a Duet key, a key whose halves do not match', async () => {
    const dir = await tempDir();
    const path = join(dir, 'identity.json');
    expect(await codeOf(loadIdentityFile(path))).toBe('identity-file-missing');

    await createIdentityFile(path, false);
    await chmod(path, 0o640);
    expect(await codeOf(loadIdentityFile(path))).toBe('identity-file-exposed');
    await chmod(path, 0o600);

    const good = JSON.parse(await readFile(path, 'utf8'));
    for (const bad of ['not json', '[]', JSON.stringify({ ...good, format: 'other' }), JSON.stringify({ ...good, privateKey: { ...good.privateKey, d: 'AAAA' } })]) {
      await writeFile(path, bad, { mode: 0o600 });
      expect(await codeOf(loadIdentityFile(path)), bad).toBe('identity-file-invalid');
    }
    const other = join(dir, 'other.json');
    await createIdentityFile(other, false);
    const otherKey = JSON.parse(await readFile(other, 'utf8'));
    await writeFile(path, JSON.stringify({ ...good, privateKey: { ...good.privateKey, d: otherKey.privateKey.d } }), { mode: 0o600 });
    expect(await codeOf(loadIdentityFile(path))).toBe('identity-file-invalid');
  });
});

describe('known peers', () => {
  async function storeIn(dir: string) {
    const path = join(dir, 'identity.json');
    await createIdentityFile(path, false);
    return new FileDeviceStore(await loadIdentityFile(path), path);
  }

  it('remembers peers in a 0600 file beside the identity, read again by a later process', async () => {
    const dir = await tempDir();
    const store = await storeIn(dir);
    expect(await store.getPeer('Bruno')).toBeUndefined();
    const publicKey = new Uint8Array(65).fill(4);
    await store.putPeer('Bruno', { publicKey, verified: true, firstSeen: 1234 });
    expect(await modeOf(join(dir, 'identity.known-peers.json'))).toBe(0o600);
    const later = new FileDeviceStore(await store.loadIdentity(), join(dir, 'identity.json'));
    expect(await later.getPeer('bruno')).toEqual({ publicKey, verified: true, firstSeen: 1234 });
    expect(await later.peerKeys()).toEqual(['bruno']);
    // Forgetting this device removes the key and the known peers.
    await later.clear();
    expect(await readdir(dir)).toEqual([]);
  });

  it('a damaged known-peers file is a named error, and nothing is written over it', async () => {
    const dir = await tempDir();
    const store = await storeIn(dir);
    const peers = join(dir, 'identity.known-peers.json');
    for (const bad of ['{', '{"format":"duet-known-peers/v1","peers":{"bruno":{"publicKey":1}}}', '{"format":"x","peers":{}}']) {
      await writeFile(peers, bad);
      expect(await codeOf(store.readPeers()), bad).toBe('known-peers-invalid');
      expect(await codeOf(store.putPeer('Ana', { publicKey: new Uint8Array(65), verified: false, firstSeen: 0 }))).toBe('known-peers-invalid');
      expect(await readFile(peers, 'utf8')).toBe(bad);
    }
  });

  it('PeerTrust over the files: a first meeting is new, the next known, another key under the same name a warning', async () => {
    const dir = await tempDir();
    const store = await storeIn(dir);
    const host = { clock: new ManualClock(), changed: () => {}, notify: (error: DuetError) => expect.fail(error.message) };
    const brunoPath = join(dir, 'bruno.json');
    await createIdentityFile(brunoPath, false);
    const bruno = await loadIdentityFile(brunoPath);
    const transcript = new Uint8Array(32).fill(1);
    const meet = async (identity = bruno) => {
      const trust = new PeerTrust(host);
      trust.useDevice(await store.loadIdentity(), store);
      return (await trust.checkPeer('Bruno', await proveIdentity(identity, transcript), transcript)).kind;
    };
    expect(await meet()).toBe('new');
    expect(await meet()).toBe('known');
    await createIdentityFile(brunoPath, true);
    expect(await meet(await loadIdentityFile(brunoPath))).toBe('changed');
  });
});
