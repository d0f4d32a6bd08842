/**
 * Writes docs/test-vectors.json: Duet protocol v1 computed from fixed inputs with
 * the real implementation (src/core), so anyone can check an independent
 * implementation against it (docs/PROTOCOL.md, section "Test vectors").
 *
 *   npx tsx scripts/make-test-vectors.ts            re-create the file (deterministic)
 *   npx tsx scripts/make-test-vectors.ts --new-rsa  also replace the one-time values
 *
 * Everything is a pure function of the fixed inputs (scripts/test-vectors/fixed.ts)
 * except the "one-time" values (scripts/test-vectors/one-time.ts): RSA-OAEP and ECDSA
 * are randomised, so those are made once and read back from the existing file on every
 * later run, and re-running reproduces the file byte for byte. Each section lives in
 * scripts/test-vectors/; each cross-checks the implementation against a direct reading
 * of the spec and refuses to write vectors the two disagree on.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { attemptSignalVectors, cpaceVectors, identityVectors, resumptionVectors } from './test-vectors/extras.ts';
import { FIXED_RECORDS } from './test-vectors/fixed.ts';
import { handshakeVectors, inviteVectors, signalVectors } from './test-vectors/handshake.ts';
import { ONE_TIME_PATHS, oneTimeRsa } from './test-vectors/one-time.ts';
import { recordVectors, rejectedRecords } from './test-vectors/records.ts';
import type { TestVectors } from './test-vectors/types.ts';

export type { RecordVector, RejectedRecord, SealedSignalVector, SideInputs, TestVectors } from './test-vectors/types.ts';
export { FIXED } from './test-vectors/fixed.ts';

export const VECTORS_PATH = fileURLToPath(new URL('../docs/test-vectors.json', import.meta.url));

export async function buildVectors(previous?: TestVectors, options: { fresh?: boolean; log?: (line: string) => void } = {}): Promise<TestVectors> {
  const log = options.log ?? (() => {});
  const fresh = options.fresh ?? false;
  const invite = await inviteVectors();
  const signal = await signalVectors(invite.room, invite.signalKey);
  const attemptSignals = await attemptSignalVectors(invite.room.signalKey, invite.signalKey);
  const cpace = await cpaceVectors(invite.room.roomId);
  const handshake = await handshakeVectors(invite.psk, await oneTimeRsa(previous, fresh, log));
  const { hostKeys, guestKeys, raw } = handshake;
  const hostToGuest = await recordVectors(hostKeys.sendAes, hostKeys.sendMac, raw.host_to_guest_aes, raw.host_to_guest_hmac, FIXED_RECORDS.hostToGuest);
  const guestToHost = await recordVectors(guestKeys.sendAes, guestKeys.sendMac, raw.guest_to_host_aes, raw.guest_to_host_hmac, FIXED_RECORDS.guestToHost);
  const rejected = await rejectedRecords(hostToGuest, guestToHost, raw.host_to_guest_aes, raw.host_to_guest_hmac);
  const identity = await identityVectors(previous, fresh, handshake.th, log);
  const resumption = await resumptionVectors(handshake.resumption);

  return {
    description: 'Duet protocol v1 test vectors, computed from fixed inputs with the reference implementation. See docs/PROTOCOL.md, section "Test vectors".',
    protocol: 'duet/v1',
    spec: 'docs/PROTOCOL.md',
    generator: 'npx tsx scripts/make-test-vectors.ts',
    encoding:
      'Byte strings are lower-case hex unless the field is named invite_code, room_id, *_nonce, binding, payload, *_payload or proof (unpadded base64url) or is text (dtls_fingerprint, safety_code, additional_data, plaintext_text, signal, password, channel, case, note). Record sequence numbers are decimal text.',
    one_time_values: ONE_TIME_PATHS,
    invite: invite.vectors,
    signal,
    attempt_signals: attemptSignals,
    cpace,
    handshake: handshake.vectors,
    records: {
      note: 'Keys: handshake.expected.keys (host_to_guest_* for host_to_guest, guest_to_host_* for guest_to_host). Sequence numbers start at 1 in each direction; profile is each side\'s first record; the bye is pre-sealed with sequence 2^64 - 1.',
      host_to_guest: hostToGuest,
      guest_to_host: guestToHost,
    },
    rejected_records: {
      note: 'Each case goes to a fresh receiver of host_to_guest records (keys host_to_guest_*, last accepted sequence 0) that first accepted the host_to_guest records whose sequences are listed in `after`. When `record` is absent, the receiver gets `record_length` zero bytes. The receiver refuses it with `expected_error`; its state does not change, except that the authentic record with a malformed payload (refused after the record layer accepted it) uses up its sequence number.',
      cases: rejected,
    },
    identity,
    resumption: resumption.vectors,
  };
}

export function serialiseVectors(vectors: TestVectors): string {
  return `${JSON.stringify(vectors, null, 2)}\n`;
}

export function readStoredVectors(path = VECTORS_PATH): TestVectors | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as TestVectors;
  } catch {
    return undefined;
  }
}

async function main(): Promise<void> {
  const fresh = process.argv.includes('--new-rsa');
  let before: string | undefined;
  try {
    before = readFileSync(VECTORS_PATH, 'utf8');
  } catch {
    before = undefined;
  }
  const previous = before === undefined ? undefined : (JSON.parse(before) as TestVectors);
  const vectors = await buildVectors(previous, { fresh, log: (line) => console.log(line) });
  const text = serialiseVectors(vectors);
  writeFileSync(VECTORS_PATH, text);
  console.log(`${before === text ? 'unchanged' : 'wrote'} ${VECTORS_PATH}`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
