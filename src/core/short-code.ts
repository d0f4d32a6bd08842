/**
 * Short codes: "<nameplate>-<word>-<word>", e.g. "7-tiger-ocean". The number is
 * the room's nameplate, handed out by the signaling server (not secret); the two
 * words, from the 2048-word BIP-39 English list (11 bits each, 22 bits in all),
 * are the password for the PAKE (see pake.ts) and never leave the browsers.
 */
import type { RandomSource } from './bytes.ts';
import { secureRandom } from './bytes.ts';
import { DuetError } from './errors.ts';

export const MAX_NAMEPLATE = 9999;
/** Sizes on the wire of the PAKE share and confirmation (pake.ts), kept here so they load without the curve code. */
export const PAKE_SHARE_BYTES = 32;
export const PAKE_CONFIRM_BYTES = 32;
const WORDS_IN_PASSWORD = 2;
const SHORT_CODE_PATTERN = /^\s*(\d{1,4})[\s-]+([A-Za-z]+)[\s-]+([A-Za-z]+)\s*$/;

export interface ShortCode {
  nameplate: number;
  /** The words joined by "-", lower case: the PAKE password. */
  password: string;
}

let wordlistPromise: Promise<readonly string[]> | undefined;

/** The word list is loaded on demand, keeping it out of the initial download. */
export function loadWordlist(): Promise<readonly string[]> {
  wordlistPromise ??= import('@scure/bip39/wordlists/english.js').then((module) => module.wordlist);
  return wordlistPromise;
}

export function looksLikeShortCode(input: string): boolean {
  return SHORT_CODE_PATTERN.test(input);
}

export function generatePassword(wordlist: readonly string[], random: RandomSource = secureRandom): string {
  if (wordlist.length !== 2048) throw new Error('expected the 2048-word list');
  const bytes = random(WORDS_IN_PASSWORD * 2);
  const words: string[] = [];
  for (let i = 0; i < WORDS_IN_PASSWORD; i++) words.push(wordlist[((bytes[2 * i]! << 8) | bytes[2 * i + 1]!) & 0x7ff]!);
  return words.join('-');
}

export function formatShortCode(code: ShortCode): string {
  return `${code.nameplate}-${code.password}`;
}

/** Reads "7-tiger-ocean" (any case, spaces or dashes); throws DuetError('invalid-code'). */
export function parseShortCode(input: string, wordlist: readonly string[]): ShortCode {
  const match = SHORT_CODE_PATTERN.exec(input);
  if (!match) throw new DuetError('invalid-code', 'not a short code');
  const nameplate = Number(match[1]);
  if (!Number.isInteger(nameplate) || nameplate < 1 || nameplate > MAX_NAMEPLATE) throw new DuetError('invalid-code', 'nameplate out of range');
  const words = [match[2]!.toLowerCase(), match[3]!.toLowerCase()];
  if (!words.every((word) => wordlist.includes(word))) throw new DuetError('invalid-code', 'unknown word');
  return { nameplate, password: words.join('-') };
}
