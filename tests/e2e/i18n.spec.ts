/**
 * Languages: a Portuguese browser gets Portuguese, the switch changes every string
 * and is remembered, and two people can chat each in their own language.
 */
import { type Page, expect, test } from '@playwright/test';
import { expectNoViolations } from './axe.ts';
import { connectionStatus, createRoom, newUser, send } from './users.ts';

const htmlLang = (page: Page) => page.evaluate(() => document.documentElement.lang);

test('a browser that prefers Portuguese gets the Portuguese lobby, errors included', async ({ browser }) => {
  const user = await newUser(browser, { locale: 'pt-BR' });
  const { page } = user;
  await page.goto('/');
  expect(await page.evaluate(() => navigator.languages[0])).toBe('pt-BR');
  await expect(page.getByRole('button', { name: 'Criar sala' })).toBeVisible();
  await expect(page.getByRole('textbox', { name: 'Seu nome' })).toBeVisible();
  await expect(page.getByRole('combobox', { name: 'Idioma' })).toHaveValue('pt-BR');
  await expect(page.getByRole('button', { name: 'Tema: sistema' })).toBeVisible();
  await expect(page.getByText('Lembrar de mim neste dispositivo')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Create room' })).toHaveCount(0);
  expect(await htmlLang(page)).toBe('pt-BR');

  await expectNoViolations(page, 'Portuguese lobby');

  await page.getByRole('textbox', { name: 'Seu nome' }).fill('Dora');
  await page.getByRole('textbox', { name: 'Código da sala' }).fill('não-é-um-código');
  await page.getByRole('button', { name: 'Entrar' }).click();
  await expect(page.getByRole('alert')).toHaveText('Esse código de sala não é válido. Confira e tente de novo. [invalid-code]');

  await page.getByRole('button', { name: 'Criar sala' }).click();
  await expect(connectionStatus(page)).toHaveText('Aguardando seu contato entrar…');
  await expect(page.getByRole('button', { name: 'Copiar link' })).toBeVisible();
  await expect(page.getByRole('img', { name: 'QR code da sala' })).toBeVisible();
  // The invite link's name says what it is, then what it shows (axe: label-content-name-mismatch).
  await expect(page.getByRole('link', { name: /^Link da sala: http/ })).toBeVisible();
  await expectNoViolations(page, 'Portuguese invite');
  await user.context.close();
});

test('the language switch changes the lobby to Portuguese and back, and is remembered', async ({ browser }) => {
  const user = await newUser(browser);
  const { page } = user;
  await page.goto('/');
  expect(await htmlLang(page)).toBe('en');
  await page.getByRole('textbox', { name: 'Your name' }).fill('Alice');

  await page.getByRole('combobox', { name: 'Language' }).selectOption('pt-BR');
  await expect(page.getByRole('button', { name: 'Criar sala' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Create room' })).toHaveCount(0);
  await expect(page.getByRole('textbox', { name: 'Código da sala' })).toHaveAttribute('placeholder', 'Link ou um código como 7-tiger-ocean');
  await expect(page.getByText('Chat privado para duas pessoas')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Som desligado' })).toBeVisible();
  // What was typed stays.
  await expect(page.getByRole('textbox', { name: 'Seu nome' })).toHaveValue('Alice');
  expect(await htmlLang(page)).toBe('pt-BR');

  await page.reload();
  await expect(page.getByRole('button', { name: 'Criar sala' })).toBeVisible();
  await expect(page.getByRole('combobox', { name: 'Idioma' })).toHaveValue('pt-BR');
  expect(await htmlLang(page)).toBe('pt-BR');

  await page.getByRole('combobox', { name: 'Idioma' }).selectOption('en');
  await expect(page.getByRole('button', { name: 'Create room' })).toBeVisible();
  await expect(page.getByRole('textbox', { name: 'Room code' })).toBeVisible();
  expect(await htmlLang(page)).toBe('en');
  await page.reload();
  await expect(page.getByRole('button', { name: 'Create room' })).toBeVisible();
  await expect(page.getByRole('combobox', { name: 'Language' })).toHaveValue('en');
  await user.context.close();
});

test('a language whose messages cannot be fetched leaves the page as it was and says why', async ({ browser }) => {
  // No service worker, so the request for Portuguese goes to the network, where it fails.
  const user = await newUser(browser, { serviceWorkers: 'block' });
  const { page } = user;
  let blocked = 0;
  await page.route(/\/assets\/(pt-BR|errors\.pt-BR)-[^/]+\.js$/, (route) => {
    blocked += 1;
    return route.abort('internetdisconnected');
  });
  await page.goto('/');
  await page.getByRole('combobox', { name: 'Language' }).selectOption('pt-BR');
  await expect(page.getByRole('alert')).toHaveText('Part of Duet could not be loaded. Check your connection and reload the page. [app-load-failed]');
  expect(blocked).toBeGreaterThan(0);
  await expect(page.getByRole('button', { name: 'Create room' })).toBeVisible();
  await expect(page.getByRole('combobox', { name: 'Language' })).toHaveValue('en');
  expect(await htmlLang(page)).toBe('en');

  // Back online, the same switch works (the failed fetch was not kept) and clears the error.
  await page.unrouteAll();
  await page.getByRole('combobox', { name: 'Language' }).selectOption('pt-BR');
  await expect(page.getByRole('button', { name: 'Criar sala' })).toBeVisible();
  await expect(page.getByRole('alert')).toHaveCount(0);
  await user.context.close();
});

test('one person in Portuguese and one in English chat, each in their own language', async ({ browser }) => {
  const alice = await newUser(browser);
  const bruno = await newUser(browser, { locale: 'pt-BR' });
  const link = await createRoom(alice, 'Alice');

  await bruno.page.goto(link);
  await expect(bruno.page.getByText('Você recebeu um convite para uma conversa privada no Duet.')).toBeVisible();
  await bruno.page.getByRole('textbox', { name: 'Seu nome' }).fill('Bruno');
  await bruno.page.getByRole('button', { name: 'Entrar' }).click();

  await expect(connectionStatus(alice.page)).toHaveText('Secure: end-to-end encrypted with Bruno · Direct');
  await expect(connectionStatus(bruno.page)).toHaveText('Seguro: criptografia de ponta a ponta com Alice · Direta');
  const aliceCode = (await alice.page.getByLabel('Safety code').textContent())?.trim();
  const brunoCode = (await bruno.page.getByLabel('Código de segurança').textContent())?.trim();
  expect(brunoCode).toMatch(/^\d{5}( \d{5}){5}$/);
  expect(brunoCode).toBe(aliceCode);

  // Typing, in the reader's language.
  await alice.page.getByRole('textbox', { name: 'Message' }).pressSequentially('Oi B');
  await expect(bruno.page.getByText('Alice está digitando…')).toBeVisible();
  await alice.page.getByRole('textbox', { name: 'Message' }).fill('');

  await send(alice, 'Hello from English');
  const brunoBox = bruno.page.getByRole('textbox', { name: 'Mensagem' });
  await expect(brunoBox).toHaveAttribute('placeholder', 'Escreva uma mensagem');
  await brunoBox.fill('Olá do português');
  await bruno.page.getByRole('button', { name: 'Enviar' }).click();
  await expect(brunoBox).toHaveValue('');

  const aliceLog = alice.page.getByRole('log');
  const brunoLog = bruno.page.getByRole('log');
  await expect(aliceLog).toHaveAccessibleName('Messages');
  await expect(brunoLog).toHaveAccessibleName('Mensagens');
  await expect(aliceLog).toContainText('Olá do português');
  await expect(brunoLog).toContainText('Hello from English');
  const brunoOwn = brunoLog.getByRole('listitem').filter({ hasText: 'Olá do português' });
  await expect(brunoOwn).toContainText('Bruno (você)');
  await expect(brunoOwn).toContainText('Entregue');
  const aliceOwn = aliceLog.getByRole('listitem').filter({ hasText: 'Hello from English' });
  await expect(aliceOwn).toContainText('Alice (you)');
  await expect(aliceOwn).toContainText('Delivered');
  // Times as each language writes them: 24-hour in Portuguese, AM/PM in US English.
  await expect(brunoOwn.locator('time')).toHaveText(/^\d\d:\d\d$/);
  await expect(aliceOwn.locator('time')).toHaveText(/^\d\d:\d\d\s?[AP]M$/);

  // Switching in the middle of a conversation re-renders everything on that side only.
  await alice.page.getByRole('combobox', { name: 'Language' }).selectOption('pt-BR');
  await expect(connectionStatus(alice.page)).toHaveText('Seguro: criptografia de ponta a ponta com Bruno · Direta');
  await expect(aliceLog).toHaveAccessibleName('Mensagens');
  await expect(aliceOwn).toContainText('Alice (você)');
  await expect(aliceOwn).toContainText('Entregue');
  await expect(alice.page.getByRole('button', { name: 'Marcar como verificado' })).toBeVisible();
  await expect(alice.page.getByRole('button', { name: 'Sair' })).toBeVisible();
  await expect(connectionStatus(bruno.page)).toHaveText('Seguro: criptografia de ponta a ponta com Alice · Direta');

  await alice.page.getByRole('textbox', { name: 'Mensagem' }).fill('still works');
  await alice.page.getByRole('button', { name: 'Enviar' }).click();
  await expect(brunoLog).toContainText('still works');

  await bruno.page.getByRole('button', { name: 'Sair' }).click();
  await expect(connectionStatus(bruno.page)).toHaveText('Você saiu da conversa');
  await expect(connectionStatus(alice.page)).toHaveText('Bruno saiu');
  await alice.context.close();
  await bruno.context.close();
});
