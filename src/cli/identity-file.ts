/**
 * The terminal's "Remember me": its long-term identity key (the seed's keys_manager) and
 * the identity keys of people it has talked to, in two files in the user's config
 * directory, both readable by the owner only (mode 0600).
 *
 * The browser keeps its private key as a non-extractable CryptoKey in IndexedDB, so its
 * bytes never exist outside WebCrypto. A file can only hold bytes: here the private key
 * is written once as a JWK by `duet keys`, and each chat imports it as a non-extractable
 * CryptoKey. Whoever can read the file can be you; that is why it must stay private.
 * Everything else (the proof in the handshake, trust on first use, the warnings) is the
 * browser's own code: session/peer-trust.ts over the DeviceStore below.
 */
import { randomUUID } from 'node:crypto';
import { chmod, mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { type Bytes, concatBytes, fromBase64Url, toBase64Url } from '../core/bytes.ts';
import { DuetError, type ErrorCode } from '../core/errors.ts';
import { type DeviceIdentity, IDENTITY_KEY_ALGORITHM, identityFingerprint } from '../core/identity.ts';
import { peerKey } from '../core/names.ts';
import type { DeviceStore, KnownPeer } from '../storage/device-store.ts';

const IDENTITY_FORMAT = 'duet-identity/v1';
const PEERS_FORMAT = 'duet-known-peers/v1';
const PRIVATE_FILE_MODE = 0o600;
const COORDINATE_BYTES = 32;

/** $XDG_CONFIG_HOME/duet/identity.json, else ~/.config/duet/identity.json. */
export function defaultIdentityPath(env: NodeJS.ProcessEnv): string {
  const configHome = env.XDG_CONFIG_HOME || join(env.HOME || homedir(), '.config');
  return join(configHome, 'duet', 'identity.json');
}

/** Beside the identity: identity.json → identity.known-peers.json (each identity knows its own peers). */
export function knownPeersPathFor(identityPath: string): string {
  const name = basename(identityPath);
  const stem = name.endsWith('.json') ? name.slice(0, -'.json'.length) : name;
  return join(dirname(identityPath), `${stem}.known-peers.json`);
}

/** Writes `text` to `path` with mode 0600 through a fresh temporary file, so no reader ever sees half of it. */
async function writePrivateFile(path: string, text: string): Promise<void> {
  try {
    await replaceFile(path, text);
  } catch (error) {
    throw new DuetError('file-write-failed', path, { cause: error });
  }
}

async function replaceFile(path: string, text: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const temporary = join(dirname(path), `.${basename(path)}.${randomUUID()}.tmp`);
  const file = await open(temporary, 'wx', PRIVATE_FILE_MODE);
  try {
    await file.writeFile(text);
    await file.sync();
  } finally {
    await file.close();
  }
  // The mode given to open() is narrowed by the umask, never widened; this is exact.
  await chmod(temporary, PRIVATE_FILE_MODE);
  await rename(temporary, path);
}

function rawPublicKey(jwk: JsonWebKey): Bytes {
  return concatBytes(new Uint8Array([4]), fromBase64Url(jwk.x!), fromBase64Url(jwk.y!));
}

export interface CreatedIdentity {
  path: string;
  fingerprint: string;
}

/**
 * `duet keys`: makes a new identity key and saves it at `path`. Refuses to replace an
 * existing file unless `force` (people who know the old key would be warned).
 */
export async function createIdentityFile(path: string, force: boolean): Promise<CreatedIdentity> {
  if (!force) {
    const existing = await stat(path).catch(() => undefined);
    if (existing) throw new DuetError('identity-file-exists', path);
  }
  const pair = await crypto.subtle.generateKey(IDENTITY_KEY_ALGORITHM, true, ['sign', 'verify']);
  const privateKey = await crypto.subtle.exportKey('jwk', pair.privateKey);
  const document = { format: IDENTITY_FORMAT, created: new Date().toISOString(), privateKey };
  await writePrivateFile(path, `${JSON.stringify(document, null, 2)}\n`);
  return { path, fingerprint: await identityFingerprint(rawPublicKey(privateKey)) };
}

function isCoordinate(value: unknown): value is string {
  if (typeof value !== 'string' || !/^[A-Za-z0-9_-]+$/.test(value)) return false;
  return fromBase64Url(value).length === COORDINATE_BYTES;
}

function parseIdentityDocument(text: string): JsonWebKey {
  const document: unknown = JSON.parse(text);
  if (typeof document !== 'object' || document === null) throw new Error('not an object');
  const { format, privateKey } = document as { format?: unknown; privateKey?: unknown };
  if (format !== IDENTITY_FORMAT) throw new Error('unknown format');
  if (typeof privateKey !== 'object' || privateKey === null) throw new Error('no private key');
  const jwk = privateKey as Record<string, unknown>;
  if (jwk.kty !== 'EC' || jwk.crv !== 'P-256' || !isCoordinate(jwk.x) || !isCoordinate(jwk.y) || !isCoordinate(jwk.d)) {
    throw new Error('not a P-256 private key');
  }
  return { kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y, d: jwk.d };
}

async function readNamedFile(path: string, missing: ErrorCode): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      if (missing === 'known-peers-invalid') return undefined;
      throw new DuetError(missing, path, { cause: error });
    }
    throw new DuetError(missing === 'identity-file-missing' ? 'identity-file-invalid' : missing, path, { cause: error });
  }
}

/** Reads the identity file made by `duet keys`; the private key comes back non-extractable. */
export async function loadIdentityFile(path: string): Promise<DeviceIdentity> {
  const text = await readNamedFile(path, 'identity-file-missing');
  // Like ssh with a private key: a key others can read is no longer only yours.
  if (((await stat(path)).mode & 0o077) !== 0) throw new DuetError('identity-file-exposed', path);
  try {
    const jwk = parseIdentityDocument(text!);
    // WebCrypto refuses a JWK whose public point is not the private scalar's.
    const privateKey = await crypto.subtle.importKey('jwk', jwk, IDENTITY_KEY_ALGORITHM, false, ['sign']);
    return { privateKey, publicKey: rawPublicKey(jwk) };
  } catch (error) {
    throw new DuetError('identity-file-invalid', path, { cause: error });
  }
}

interface StoredPeer {
  publicKey: string;
  verified: boolean;
  firstSeen: number;
}

function parsePeersDocument(text: string): Map<string, KnownPeer> {
  const document: unknown = JSON.parse(text);
  if (typeof document !== 'object' || document === null) throw new Error('not an object');
  const { format, peers } = document as { format?: unknown; peers?: unknown };
  if (format !== PEERS_FORMAT || typeof peers !== 'object' || peers === null || Array.isArray(peers)) throw new Error('unknown format');
  const known = new Map<string, KnownPeer>();
  for (const [key, value] of Object.entries(peers)) {
    const peer = value as Partial<StoredPeer> | null;
    if (typeof peer !== 'object' || peer === null || typeof peer.publicKey !== 'string' || typeof peer.verified !== 'boolean' || !Number.isFinite(peer.firstSeen)) {
      throw new Error(`bad entry ${JSON.stringify(key)}`);
    }
    known.set(key, { publicKey: fromBase64Url(peer.publicKey), verified: peer.verified, firstSeen: peer.firstSeen! });
  }
  return known;
}

/**
 * The DeviceStore PeerTrust uses, over the identity from `duet keys` and the known-peers
 * file. Each change rewrites the (small) file whole; the file is read again each time,
 * so two terminals with the same identity do not undo each other's changes for long.
 */
export class FileDeviceStore implements DeviceStore {
  constructor(private readonly identity: DeviceIdentity, private readonly identityPath: string) {}

  get peersPath(): string {
    return knownPeersPathFor(this.identityPath);
  }

  /** Reads the known peers; a damaged file is a DuetError('known-peers-invalid') naming it. */
  async readPeers(): Promise<Map<string, KnownPeer>> {
    const text = await readNamedFile(this.peersPath, 'known-peers-invalid');
    if (text === undefined) return new Map();
    try {
      return parsePeersDocument(text);
    } catch (error) {
      throw new DuetError('known-peers-invalid', this.peersPath, { cause: error });
    }
  }

  async loadIdentity(): Promise<DeviceIdentity> {
    return this.identity;
  }

  /** The terminal's identity is made by `duet keys` only (PeerTrust never saves one here). */
  async saveIdentity(): Promise<void> {
    throw new DuetError('identity-file-exists', this.identityPath);
  }

  async getPeer(name: string): Promise<KnownPeer | undefined> {
    return (await this.readPeers()).get(peerKey(name));
  }

  async putPeer(name: string, peer: KnownPeer): Promise<void> {
    const peers = await this.readPeers();
    peers.set(peerKey(name), peer);
    const stored: Record<string, StoredPeer> = {};
    for (const [key, value] of peers) stored[key] = { publicKey: toBase64Url(value.publicKey), verified: value.verified, firstSeen: value.firstSeen };
    await writePrivateFile(this.peersPath, `${JSON.stringify({ format: PEERS_FORMAT, peers: stored }, null, 2)}\n`);
  }

  async peerKeys(): Promise<string[]> {
    return [...(await this.readPeers()).keys()];
  }

  /** Forgets the identity and every known peer: both files are removed. */
  async clear(): Promise<void> {
    await rm(this.peersPath, { force: true });
    await rm(this.identityPath, { force: true });
  }
}
