/**
 * What "Remember me on this device" keeps, and nothing more: this device's
 * identity key (private half non-extractable: IndexedDB stores the CryptoKey
 * object itself, never its bytes) and the identity keys of people talked to
 * before. Everything is deleted by "Forget this device".
 */
import type { Bytes } from '../core/bytes.ts';
import type { DeviceIdentity } from '../core/identity.ts';
import { peerKey } from '../core/names.ts';

export interface KnownPeer {
  publicKey: Bytes;
  /** The person compared safety codes with this peer and marked it verified. */
  verified: boolean;
  firstSeen: number;
}

export interface DeviceStore {
  loadIdentity(): Promise<DeviceIdentity | undefined>;
  saveIdentity(identity: DeviceIdentity): Promise<void>;
  getPeer(name: string): Promise<KnownPeer | undefined>;
  putPeer(name: string, peer: KnownPeer): Promise<void>;
  /** The names known peers are stored under (as peerKey made them). */
  peerKeys(): Promise<string[]>;
  /** Forgets the identity and every known peer. */
  clear(): Promise<void>;
}

export { peerKey } from '../core/names.ts';

export class MemoryDeviceStore implements DeviceStore {
  private identity: DeviceIdentity | undefined;
  private readonly peers = new Map<string, KnownPeer>();

  async loadIdentity() {
    return this.identity;
  }
  async saveIdentity(identity: DeviceIdentity) {
    this.identity = identity;
  }
  async getPeer(name: string) {
    return this.peers.get(peerKey(name));
  }
  async putPeer(name: string, peer: KnownPeer) {
    this.peers.set(peerKey(name), peer);
  }
  async peerKeys() {
    return [...this.peers.keys()];
  }
  async clear() {
    this.identity = undefined;
    this.peers.clear();
  }
}

const DB_NAME = 'duet-device';
const DB_VERSION = 1;
const IDENTITY_STORE = 'identity';
const PEER_STORE = 'peers';
const IDENTITY_KEY = 'self';

function promised<T>(request: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new Error('IndexedDB request failed'));
  });
}

export class IndexedDbDeviceStore implements DeviceStore {
  private database: Promise<IDBDatabase> | undefined;

  private open(): Promise<IDBDatabase> {
    this.database ??= new Promise((resolve, reject) => {
      const request = indexedDB.open(DB_NAME, DB_VERSION);
      request.onupgradeneeded = () => {
        request.result.createObjectStore(IDENTITY_STORE);
        request.result.createObjectStore(PEER_STORE);
      };
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error ?? new Error('IndexedDB unavailable'));
    });
    return this.database;
  }

  private async run<T>(storeName: string, mode: IDBTransactionMode, action: (store: IDBObjectStore) => IDBRequest<T>): Promise<T> {
    const database = await this.open();
    return promised(action(database.transaction(storeName, mode).objectStore(storeName)));
  }

  async loadIdentity(): Promise<DeviceIdentity | undefined> {
    const value = (await this.run(IDENTITY_STORE, 'readonly', (s) => s.get(IDENTITY_KEY))) as DeviceIdentity | undefined;
    return value && value.privateKey instanceof CryptoKey && value.publicKey instanceof Uint8Array ? value : undefined;
  }

  async saveIdentity(identity: DeviceIdentity): Promise<void> {
    await this.run(IDENTITY_STORE, 'readwrite', (s) => s.put(identity, IDENTITY_KEY));
  }

  async getPeer(name: string): Promise<KnownPeer | undefined> {
    const value = (await this.run(PEER_STORE, 'readonly', (s) => s.get(peerKey(name)))) as KnownPeer | undefined;
    return value && value.publicKey instanceof Uint8Array ? value : undefined;
  }

  async putPeer(name: string, peer: KnownPeer): Promise<void> {
    await this.run(PEER_STORE, 'readwrite', (s) => s.put(peer, peerKey(name)));
  }

  async peerKeys(): Promise<string[]> {
    const keys = await this.run(PEER_STORE, 'readonly', (s) => s.getAllKeys());
    return (keys as IDBValidKey[]).filter((key): key is string => typeof key === 'string');
  }

  async clear(): Promise<void> {
    await this.run(IDENTITY_STORE, 'readwrite', (s) => s.clear());
    await this.run(PEER_STORE, 'readwrite', (s) => s.clear());
  }
}
