/**
 * Display names: what a person types as their name, and what a peer's profile carries.
 * Both go through the same check, so a name renders on one line and within bounds
 * whichever side wrote it.
 */
import { DuetError } from './errors.ts';

export const MAX_NAME_LENGTH = 40;

/** Normalises and checks a display name; throws DuetError('invalid-name'). */
export function normaliseName(input: string): string {
  // Collapse runs of white space and strip control characters, so names render on one line.
  // eslint-disable-next-line no-control-regex
  const name = input.replace(/[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069]/g, '').replace(/\s+/g, ' ').trim();
  if (name.length === 0 || [...name].length > MAX_NAME_LENGTH) throw new DuetError('invalid-name');
  return name;
}

/**
 * The key a remembered peer is kept under: the name after compatibility normalisation
 * (NFKC: a full-width or ligature spelling is the same name), without regard to case.
 * Look-alike names in other scripts are a separate check (src/session/peer-trust.ts).
 */
export function peerKey(name: string): string {
  return name.normalize('NFKC').toLowerCase();
}
