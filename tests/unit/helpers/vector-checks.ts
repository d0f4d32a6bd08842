/** Small helpers shared by the test-vector checks (tests/unit/core/test-vectors*.test.ts). */
import type { TestVectors } from '../../../scripts/make-test-vectors.ts';
import { fromHex } from '../../../src/core/bytes.ts';
import { DuetError } from '../../../src/core/errors.ts';
import type { KeyScheduleInput } from '../../../src/core/key-schedule.ts';

/** An IV source that hands out exactly the given values, in order (the generator's own). */
export { fixedRandom } from '../../../scripts/test-vectors/primitives.ts';

/** The DuetError code a promise rejects with, or 'no error'. */
export async function errorCode(promise: Promise<unknown>): Promise<string> {
  return promise.then(
    () => 'no error',
    (error: unknown) => (error instanceof DuetError ? error.code : `not a DuetError: ${String(error)}`),
  );
}

/**
 * The key-schedule input of the vectors' handshake (secrets, ECDH x, PSK, TH, salt) as
 * deriveSessionKeys takes it; the resumed handshake passes its own PSK, TH and salt.
 */
export function keyScheduleOf(
  hs: TestVectors['handshake'],
  resumed?: { psk: string; th: string; safetySalt: string },
): Omit<KeyScheduleInput, 'role'> {
  return {
    secretHost: fromHex(hs.inputs.host.secret),
    secretGuest: fromHex(hs.inputs.guest.secret),
    ecdhShared: fromHex(hs.expected.ecdh_shared),
    psk: fromHex(resumed?.psk ?? hs.inputs.psk),
    transcriptHash: fromHex(resumed?.th ?? hs.expected.th),
    safetySalt: fromHex(resumed?.safetySalt ?? hs.expected.safety_salt),
  };
}
