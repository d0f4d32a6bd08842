import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { ERROR_MESSAGES, type ErrorCode } from '../../../src/core/errors.ts';
import { en } from '../../../src/i18n/en.ts';
import { ERROR_MESSAGES_PT_BR } from '../../../src/i18n/errors.pt-BR.ts';
import {
  LANGUAGE_NAMES,
  LOCALES,
  catalogue,
  currentLocale,
  describeError,
  detectLocale,
  errorCatalogue,
  errorSentence,
  formatTime,
  loadLocale,
  onLocaleChange,
  parseLocale,
  placeholdersOf,
  setLocale,
  t,
  tParts,
  tPlural,
} from '../../../src/i18n/i18n.ts';
import { ptBR } from '../../../src/i18n/pt-BR.ts';

beforeAll(() => loadLocale('pt-BR'));
afterEach(() => setLocale('en'));

describe('loading a language', () => {
  it('English is there at once; another language only after loadLocale, fetched once', async () => {
    vi.resetModules();
    const fresh = await import('../../../src/i18n/i18n.ts');
    expect(fresh.catalogue('en')).toEqual(en);
    expect(() => fresh.catalogue('pt-BR')).toThrow(/not loaded/);
    expect(() => fresh.setLocale('pt-BR')).toThrow(/not loaded/);
    expect(fresh.currentLocale()).toBe('en');
    const first = fresh.loadLocale('pt-BR');
    expect(fresh.loadLocale('pt-BR')).toBe(first);
    await first;
    fresh.setLocale('pt-BR');
    expect(fresh.t('lobby.create')).toBe(ptBR['lobby.create']);
    expect(fresh.t('lobby.create')).not.toBe(en['lobby.create']);
    expect(fresh.errorSentence('room-full')).toBe(ERROR_MESSAGES_PT_BR['room-full']);
  });
});

const englishKeys = Object.keys(en).sort();
const errorCodes = Object.keys(ERROR_MESSAGES).sort() as ErrorCode[];

describe('message catalogues', () => {
  it('every language has exactly the English keys', () => {
    for (const locale of LOCALES) expect(Object.keys(catalogue(locale)).sort(), locale).toEqual(englishKeys);
  });

  it('no message is empty or padded with spaces', () => {
    for (const locale of LOCALES) {
      for (const [key, text] of Object.entries(catalogue(locale))) {
        expect(text.trim(), `${locale} ${key}`).not.toBe('');
        expect(text, `${locale} ${key}`).toBe(text.trim());
      }
    }
  });

  it('every translation has the same placeholders as the English text', () => {
    for (const locale of LOCALES) {
      for (const key of englishKeys) {
        const k = key as keyof typeof en;
        expect(placeholdersOf(catalogue(locale)[k]), `${locale} ${key}`).toEqual(placeholdersOf(en[k]));
      }
    }
  });

  it('braces only ever appear as {placeholders}', () => {
    for (const locale of LOCALES) {
      for (const [key, text] of Object.entries(catalogue(locale))) {
        expect(text.replace(/\{[A-Za-z0-9_]+\}/g, ''), `${locale} ${key}`).not.toMatch(/[{}]/);
      }
    }
  });

  it('Portuguese is actually translated, not copied (brand-only and unit-only messages aside)', () => {
    const same = englishKeys.filter((key) => ptBR[key as keyof typeof en] === en[key as keyof typeof en]);
    expect(same).toEqual(['app.name', 'attention.titleUnread', 'file.checksumTitle', 'file.speed']);
  });

  it('plural messages have the forms each language needs', () => {
    const bases = [...new Set(englishKeys.filter((k) => /\.(zero|one|two|few|many|other)$/.test(k)).map((k) => k.replace(/\.[a-z]+$/, '')))];
    expect(bases.length).toBeGreaterThan(0);
    for (const base of bases) {
      expect(englishKeys, base).toContain(`${base}.other`);
      for (const locale of LOCALES) {
        // Every integer category the language's rules can pick must be there (or fall back to .other).
        const categories = new Intl.PluralRules(locale).resolvedOptions().pluralCategories;
        for (const category of categories) {
          if (category === 'many' && locale === 'pt-BR') continue; // only for compact numbers ("1 mi"), never for counts
          if (category !== 'other') expect(englishKeys, `${locale} ${base}.${category}`).toContain(`${base}.${category}`);
        }
      }
    }
  });

  it('uses the brief’s Brazilian Portuguese wording for the main actions', () => {
    expect(ptBR['lobby.name']).toBe('Seu nome');
    expect(ptBR['lobby.create']).toBe('Criar sala');
    expect(ptBR['lobby.code']).toBe('Código da sala');
    expect(ptBR['lobby.join']).toBe('Entrar');
    expect(ptBR['invite.copy']).toBe('Copiar link');
    expect(ptBR['chat.message']).toBe('Mensagem');
    expect(ptBR['chat.send']).toBe('Enviar');
    expect(ptBR['chat.safetyCode']).toBe('Código de segurança');
    expect(ptBR['status.reconnecting']).toMatch(/^Reconectando/);
    expect(ptBR['chat.typing']).toContain('digitando…');
  });
});

describe('error catalogues', () => {
  it('Portuguese covers exactly the error codes, with full sentences', () => {
    expect(Object.keys(ERROR_MESSAGES_PT_BR).sort()).toEqual(errorCodes);
    for (const code of errorCodes) {
      const sentence = ERROR_MESSAGES_PT_BR[code];
      expect(sentence, code).toMatch(/^[A-ZÀ-Ý].*[.)]$/u);
      expect(sentence, code).not.toBe(ERROR_MESSAGES[code]);
    }
  });

  it('the UI shows the sentence in the current language, with the code', () => {
    expect(errorCatalogue('en')).toBe(ERROR_MESSAGES);
    expect(describeError({ code: 'room-full' })).toBe(`${ERROR_MESSAGES['room-full']} [room-full]`);
    setLocale('pt-BR');
    expect(errorSentence('room-full')).toBe(ERROR_MESSAGES_PT_BR['room-full']);
    expect(describeError({ code: 'room-full' })).toBe(`${ERROR_MESSAGES_PT_BR['room-full']} [room-full]`);
  });
});

describe('locale detection', () => {
  it.each([
    [['pt-BR'], 'pt-BR'],
    [['pt'], 'pt-BR'],
    [['pt-PT', 'en'], 'pt-BR'],
    [['PT_br'], 'pt-BR'],
    [['fr-FR', 'pt-BR', 'en'], 'pt-BR'],
    [['en-US', 'pt-BR'], 'en'],
    [['en-GB'], 'en'],
    [['de', 'fr'], 'en'],
    [[], 'en'],
    [['portuguese'], 'en'],
  ] as const)('%j → %s', (languages, expected) => {
    expect(detectLocale(languages)).toBe(expected);
  });

  it('accepts only our locales from storage', () => {
    expect(parseLocale('pt-BR')).toBe('pt-BR');
    expect(parseLocale('en')).toBe('en');
    expect(parseLocale('pt')).toBeUndefined();
    expect(parseLocale(null)).toBeUndefined();
    expect(Object.keys(LANGUAGE_NAMES).sort()).toEqual([...LOCALES].sort());
  });
});

describe('t, tParts, tPlural and switching', () => {
  it('fills placeholders and follows the current locale', () => {
    expect(t('lobby.create')).toBe('Create room');
    expect(t('status.secure', { name: 'Bruno' })).toBe('Secure: end-to-end encrypted with Bruno');
    setLocale('pt-BR');
    expect(currentLocale()).toBe('pt-BR');
    expect(t('lobby.create')).toBe('Criar sala');
    expect(t('chat.typing', { name: 'Alice' })).toBe('Alice está digitando…');
  });

  it('a value that looks like a placeholder is not filled again', () => {
    expect(t('chat.you', { name: '{name}' })).toBe('{name} (you)');
  });

  it('tells subscribers about a switch, once, until they unsubscribe', () => {
    const seen: string[] = [];
    const stop = onLocaleChange((locale) => seen.push(locale));
    setLocale('pt-BR');
    setLocale('pt-BR');
    setLocale('en');
    stop();
    setLocale('pt-BR');
    expect(seen).toEqual(['pt-BR', 'en']);
  });

  it('tParts keeps the given values as they are, between the text around them', () => {
    const marker = { code: 'ab12' };
    expect(tParts('lobby.remembered', { fingerprint: marker })).toEqual(['This device is remembered (key ', marker, ').']);
    setLocale('pt-BR');
    expect(tParts('chat.identity.unchecked', { name: 'Bruno', fingerprint: marker })).toEqual([
      'Chave do dispositivo de ',
      'Bruno',
      ': ',
      marker,
    ]);
  });

  it('picks plural forms with Intl.PluralRules and formats the count for the locale', () => {
    expect(tPlural('attention.notification', 1, { name: 'Bruno' })).toBe('New message from Bruno');
    expect(tPlural('attention.notification', 3, { name: 'Bruno' })).toBe('3 new messages from Bruno');
    expect(tPlural('attention.notification', 1200, { name: 'Bruno' })).toBe('1,200 new messages from Bruno');
    setLocale('pt-BR');
    expect(tPlural('attention.notification', 1, { name: 'Bruno' })).toBe('Nova mensagem de Bruno');
    expect(tPlural('attention.notification', 2, { name: 'Bruno' })).toBe('2 novas mensagens de Bruno');
    expect(tPlural('attention.notification', 1200, { name: 'Bruno' })).toBe('1.200 novas mensagens de Bruno');
    // Portuguese rules put 0 with 1 (English does not): the rules decide, not `count === 1`.
    expect(tPlural('attention.body', 0, {})).toBe('Abra o Duet para lê-la.');
    setLocale('en');
    expect(tPlural('attention.body', 0, {})).toBe('Open Duet to read them.');
  });

  it('formats times with the current locale', () => {
    const afternoon = new Date(2024, 4, 6, 14, 5);
    expect(formatTime(afternoon)).toBe(new Intl.DateTimeFormat('en', { hour: '2-digit', minute: '2-digit' }).format(afternoon));
    expect(formatTime(afternoon)).toMatch(/PM/);
    setLocale('pt-BR');
    expect(formatTime(afternoon)).toBe('14:05');
  });
});
