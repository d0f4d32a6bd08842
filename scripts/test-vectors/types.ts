/** The shape of docs/test-vectors.json (see docs/PROTOCOL.md, section "Test vectors"). */
import type { PeerMessage } from '../../src/core/messages.ts';
import type { SignalData } from '../../src/core/signal-seal.ts';

export type KeyName = 'host_to_guest_aes' | 'host_to_guest_hmac' | 'guest_to_host_aes' | 'guest_to_host_hmac' | 'confirm_host' | 'confirm_guest';

export interface SideInputs {
  nonce: string;
  ecdh_private: string;
  /** One-time: PKCS#8 DER of this side's RSA-OAEP private key (2048-bit, e = 65537). */
  rsa_pkcs8: string;
  /** One-time: SPKI DER of the same key, as sent in HELLO. */
  rsa_spki: string;
  /** The 32 bytes this side transports in its KEY. */
  secret: string;
  /** One-time: RSA-OAEP-SHA256 (MGF1-SHA256, empty label) of `secret` under the PEER's rsa_spki. */
  key_ciphertext: string;
  dtls_fingerprint: string;
}

export interface RecordVector {
  type: PeerMessage['type'] | 'batch';
  type_byte: number;
  /** Decimal text: a bye's sequence, 2^64 − 1, is beyond a JSON number's exact range. */
  sequence: string;
  iv: string;
  /** The plaintext as text, for the JSON record types. */
  plaintext_text?: string;
  /** For a file chunk: its fields (data in hex). */
  file_chunk?: { id: string; index: number; data: string };
  /** For a batch: its entries, in order. */
  batch_entries?: { type: PeerMessage['type']; type_byte: number; plaintext: string }[];
  plaintext: string;
  expected: { header: string; ciphertext: string; hmac: string; record: string };
}

export interface RejectedRecord {
  case: string;
  /** Sequence numbers of host_to_guest records the receiver accepted before this one. */
  after: string[];
  /** The bytes given to the receiver; absent when `record_length` zero bytes are given. */
  record?: string;
  record_length: number;
  expected_error: string;
}

export interface SealedSignalVector {
  sender_role: 'host' | 'guest';
  /** Absent for the session message, which is bound to no nonce. */
  binding?: string;
  signal: SignalData;
  iv: string;
  expected: { additional_data: string; plaintext: string; payload: string };
}

export interface HandshakeExpected {
  host_ecdh_public: string;
  guest_ecdh_public: string;
  commitment_host: string;
  commitment_guest: string;
  psk_id: string;
  hello_host: string;
  hello_guest: string;
  key_host: string;
  key_guest: string;
  th1: string;
  th: string;
  ecdh_shared: string;
  ikm: string;
  keys: Record<KeyName, string>;
  safety_salt: string;
  safety_code_bytes: string;
  safety_code: string;
  confirm_mac_host: string;
  confirm_mac_guest: string;
  confirm_host: string;
  confirm_guest: string;
  resumption_secret: string;
}

export interface TestVectors {
  description: string;
  protocol: string;
  spec: string;
  generator: string;
  encoding: string;
  one_time_values: string[];
  invite: {
    inputs: { room_secret: string };
    expected: { invite_code: string; room_id_bytes: string; room_id: string; signal_key: string; psk: string };
  };
  signal: {
    inputs: { key: string; sender_role: 'host'; session_nonce: string; signal: SignalData; iv: string };
    expected: { additional_data: string; plaintext: string; sealed: string; payload: string; sdp_fingerprint: string };
  };
  attempt_signals: {
    note: string;
    inputs: { key: string; session_nonce: string; restart_nonce: string };
    session: SealedSignalVector;
    ice_restart: SealedSignalVector;
    after_restart: SealedSignalVector;
  };
  cpace: {
    inputs: { password: string; room_id: string; nameplate: number; host_random: string; guest_random: string };
    expected: {
      channel: string;
      generator_input: string;
      generator: string;
      host_scalar: string;
      guest_scalar: string;
      host_share: string;
      guest_share: string;
      host_share_payload: string;
      guest_share_payload: string;
      k: string;
      transcript: string;
      secret: string;
      confirm_mac_host: string;
      confirm_mac_guest: string;
      host_confirm_payload: string;
      guest_confirm_payload: string;
      signal_key: string;
      psk: string;
    };
  };
  handshake: {
    inputs: { psk: string; host: SideInputs; guest: SideInputs };
    expected: HandshakeExpected;
  };
  records: {
    note: string;
    host_to_guest: RecordVector[];
    guest_to_host: RecordVector[];
  };
  rejected_records: {
    note: string;
    cases: RejectedRecord[];
  };
  identity: {
    inputs: { ecdsa_private: string; transcript_hash: string };
    expected: { public_key: string; signed_data: string; signature: string; proof: { publicKey: string; signature: string } };
  };
  resumption: {
    note: string;
    inputs: { psk: string; host_nonce: string; guest_nonce: string };
    expected: Omit<HandshakeExpected, 'host_ecdh_public' | 'guest_ecdh_public' | 'commitment_host' | 'commitment_guest' | 'key_host' | 'key_guest' | 'ecdh_shared' | 'safety_code' | 'safety_code_bytes' | 'confirm_host' | 'confirm_guest' | 'keys'>;
  };
}
