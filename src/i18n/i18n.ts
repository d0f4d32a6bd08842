/**
 * Languages: the current locale, `t()` to look a message up, plural forms with
 * Intl.PluralRules, error sentences and time in the current language, and a way to
 * hear about a switch. Pure: no DOM or storage here (src/ui/locale.ts does that), so
 * it runs in Node for the unit tests.
 */
import { ERROR_MESSAGES, type ErrorCode } from '../core/errors.ts';
import { type Catalogue, type MessageKey, en } from './en.ts';

export type { Catalogue, MessageKey } from './en.ts';

export const LOCALES = ['en', 'pt-BR'] as const;
export type Locale = (typeof LOCALES)[number];

/** Each language by its own name, as a language switch shows it (never translated). */
export const LANGUAGE_NAMES: Record<Locale, string> = { en: 'English', 'pt-BR': 'Português (Brasil)' };

/** A language's messages and error sentences. */
interface LanguagePack {
  catalogue: Catalogue;
  errors: Readonly<Record<ErrorCode, string>>;
}

/**
 * English ships with the page (it is also the fallback); every other language is
 * its own chunk, fetched only by someone who uses it (see loadLocale).
 */
const packs: Partial<Record<Locale, LanguagePack>> = { en: { catalogue: en, errors: ERROR_MESSAGES } };
const LOADERS: Record<Exclude<Locale, 'en'>, () => Promise<LanguagePack>> = {
  'pt-BR': async () => {
    const [{ ptBR }, { ERROR_MESSAGES_PT_BR }] = await Promise.all([import('./pt-BR.ts'), import('./errors.pt-BR.ts')]);
    return { catalogue: ptBR, errors: ERROR_MESSAGES_PT_BR };
  },
};
const loading = new Map<Locale, Promise<void>>();

/** Fetches a language's messages (once); setLocale needs them. Rejects if its chunk cannot be loaded. */
export function loadLocale(locale: Locale): Promise<void> {
  if (packs[locale]) return Promise.resolve();
  let load = loading.get(locale);
  if (!load) {
    load = LOADERS[locale as Exclude<Locale, 'en'>]().then(
      (pack) => {
        packs[locale] = pack;
      },
      (error: unknown) => {
        loading.delete(locale); // not kept: a later attempt fetches again (back online)
        throw error;
      },
    );
    loading.set(locale, load);
  }
  return load;
}

function packOf(locale: Locale): LanguagePack {
  const pack = packs[locale];
  if (!pack) throw new Error(`language ${locale} is not loaded: await loadLocale() first`);
  return pack;
}

/** The placeholder names in a message text: '{a} and {b}' → 'a' | 'b'. */
type Placeholders<S extends string> = S extends `${string}{${infer P}}${infer Rest}` ? P | Placeholders<Rest> : never;
/** The placeholders of a message, taken from its English text. */
export type ParamNames<K extends MessageKey> = Placeholders<(typeof en)[K]>;
export type Params<K extends MessageKey> = { readonly [P in ParamNames<K>]: string | number };
/** `t('key')` for messages without placeholders, `t('key', { … })` for the others. */
type ParamArgs<K extends MessageKey> = [ParamNames<K>] extends [never] ? [] : [params: Params<K>];

/** Plural messages: the bases of keys written as `base.one`, `base.other`, … */
export type PluralBase = MessageKey extends infer K ? (K extends `${infer B}.other` ? B : never) : never;
type PluralKey<B extends PluralBase> = Extract<MessageKey, `${B}.${string}`>;
type PluralParams<B extends PluralBase> = { readonly [P in Exclude<ParamNames<PluralKey<B>>, 'count'>]: string | number };

const PLACEHOLDER = /\{([A-Za-z0-9_]+)\}/g;

/**
 * Which of our languages a browser's preference list (`navigator.languages`) asks
 * for: the first entry we have decides (any `pt…` → pt-BR, any `en…` → en);
 * English when none matches.
 */
export function detectLocale(languages: readonly string[]): Locale {
  for (const language of languages) {
    const primary = language.trim().toLowerCase().split(/[-_]/)[0];
    if (primary === 'pt') return 'pt-BR';
    if (primary === 'en') return 'en';
  }
  return 'en';
}

/** A stored or typed locale name, if it is one of ours. */
export function parseLocale(value: string | null | undefined): Locale | undefined {
  return LOCALES.find((l) => l === value);
}

let current: Locale = 'en';
const listeners = new Set<(locale: Locale) => void>();

export function currentLocale(): Locale {
  return current;
}

/** Switches the language (loaded with loadLocale) and tells every subscriber (which re-render). */
export function setLocale(locale: Locale): void {
  packOf(locale);
  if (locale === current) return;
  current = locale;
  for (const listener of [...listeners]) listener(locale);
}

/** Calls `listener` after each language switch; returns the way to stop. */
export function onLocaleChange(listener: (locale: Locale) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** The catalogue of a language (for tests and tools; the UI uses t()). */
export function catalogue(locale: Locale): Catalogue {
  return packOf(locale).catalogue;
}

export function errorCatalogue(locale: Locale): Readonly<Record<ErrorCode, string>> {
  return packOf(locale).errors;
}

/** The placeholder names used in a message text, sorted and without repeats. */
export function placeholdersOf(text: string): string[] {
  return [...new Set([...text.matchAll(PLACEHOLDER)].map((m) => m[1]!))].sort();
}

const numberFormats = new Map<Locale, Intl.NumberFormat>();
function formatValue(value: string | number, locale: Locale): string {
  if (typeof value === 'string') return value;
  let format = numberFormats.get(locale);
  if (!format) numberFormats.set(locale, (format = new Intl.NumberFormat(locale)));
  return format.format(value);
}

function fill(text: string, params: Readonly<Record<string, string | number>> | undefined, locale: Locale): string {
  if (!params) return text;
  return text.replace(PLACEHOLDER, (whole, name: string) =>
    Object.prototype.hasOwnProperty.call(params, name) ? formatValue(params[name]!, locale) : whole,
  );
}

function lookup(key: MessageKey, locale: Locale): string {
  // Catalogues are complete by type; English is the safety net at run time.
  return packs[locale]?.catalogue[key] || en[key];
}

/** The message `key` in the current language, with its placeholders filled (numbers formatted for the locale). */
export function t<K extends MessageKey>(key: K, ...args: ParamArgs<K>): string {
  return fill(lookup(key, current), args[0] as Record<string, string | number> | undefined, current);
}

/**
 * The message `key` split around its placeholders, each filled with whatever the
 * caller gives (text, or a Lit template such as `html\`<code>${x}</code>\``).
 * Lit renders the array: the catalogue's text always as text, never as markup.
 */
export function tParts<K extends MessageKey, V>(key: K, params: { readonly [P in ParamNames<K>]: V | string | number }): (string | V)[] {
  const text = lookup(key, current);
  const parts: (string | V)[] = [];
  let last = 0;
  for (const match of text.matchAll(PLACEHOLDER)) {
    const name = match[1]!;
    if (!Object.prototype.hasOwnProperty.call(params, name)) continue;
    if (match.index > last) parts.push(text.slice(last, match.index));
    const value = (params as Record<string, V | string | number>)[name]!;
    parts.push(typeof value === 'number' ? formatValue(value, current) : value);
    last = match.index + match[0].length;
  }
  if (last < text.length) parts.push(text.slice(last));
  return parts;
}

const pluralRules = new Map<Locale, Intl.PluralRules>();

/** The plural form of `base` for `count` in the current language (`{count}` is filled too). */
export function tPlural<B extends PluralBase>(base: B, count: number, params: PluralParams<B>): string {
  let rules = pluralRules.get(current);
  if (!rules) pluralRules.set(current, (rules = new Intl.PluralRules(current)));
  const exact = `${base}.${rules.select(count)}`;
  const key = (Object.prototype.hasOwnProperty.call(en, exact) ? exact : `${base}.other`) as MessageKey;
  return fill(lookup(key, current), { ...params, count }, current);
}

/** An error's sentence in the current language. (DuetError.message stays English, for logs.) */
export function errorSentence(code: ErrorCode): string {
  return packs[current]?.errors[code] || ERROR_MESSAGES[code];
}

/** How the UI shows an error: the sentence, then the code in brackets (what tests and bug reports use). */
export function describeError(error: { readonly code: ErrorCode }): string {
  return `${errorSentence(error.code)} [${error.code}]`;
}

const timeFormats = new Map<Locale, Intl.DateTimeFormat>();

/** Hours and minutes, as the current language writes them. */
export function formatTime(date: Date): string {
  let format = timeFormats.get(current);
  if (!format) timeFormats.set(current, (format = new Intl.DateTimeFormat(current, { hour: '2-digit', minute: '2-digit' })));
  return format.format(date);
}
