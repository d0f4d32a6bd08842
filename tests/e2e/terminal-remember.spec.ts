import { spawnSync } from 'node:child_process';
import { stat } from 'node:fs/promises';
import { type Page, expect, test } from '@playwright/test';
import { type User, connectionStatus, expectSecure, newUser, send } from './users.ts';
import { giveNamespaceAnInterface, startTerminal } from './terminal.ts';

test.describe.configure({ timeout: 240_000 });

test.beforeAll(() => giveNamespaceAnInterface());

function runKeys(path: string, ...extra: string[]) {
  return spawnSync(process.execPath, ['bin/duet.mjs', 'keys', '--identity', path, ...extra], { encoding: 'utf8', env: { ...process.env, LANG: 'en_US.UTF-8' } });
}

/** `duet keys`; returns the fingerprint it prints. */
function makeKeys(path: string, ...extra: string[]): string {
  const run = runKeys(path, ...extra);
  expect(run.status, run.stdout + run.stderr).toBe(0);
  return /fingerprint: ([0-9a-f]{4}(?: [0-9a-f]{4}){3})/.exec(run.stdout)![1]!;
}

/** A fresh tab in the same browser profile joins with "Remember me on this device" checked. */
async function joinRemembering(user: User, link: string, name: string): Promise<Page> {
  const page = await user.context.newPage();
  await page.goto(link);
  await page.getByRole('textbox', { name: 'Your name' }).fill(name);
  await page.getByRole('checkbox', { name: 'Remember me on this device' }).check();
  await page.getByRole('button', { name: 'Join' }).click();
  await expect(connectionStatus(page)).toContainText('Secure: end-to-end encrypted with Ana');
  return page;
}

test('the terminal with --remember is recognised by the same browser profile, a new key is warned of, and the terminal warns of a changed key', async ({ browser }, testInfo) => {
  const identity = testInfo.outputPath('ana.json');
  const fingerprint = makeKeys(identity);
  expect((await stat(identity)).mode & 0o777).toBe(0o600);
  const again = runKeys(identity);
  expect(again.status).toBe(1);
  expect(again.stdout).toContain(`[identity-file-exists] ${identity}`);

  const meet = async () => {
    const ana = startTerminal(['--name', 'Ana', '--remember', '--identity', identity]);
    await ana.waitFor(/Remembering: your identity key/);
    const link = (await ana.waitFor(/Room link: (\S+)/))[1]!;
    return { ana, link };
  };
  const bruno = await newUser(browser);
  await bruno.page.close();

  // First meeting: each side now remembers the other.
  let { ana, link } = await meet();
  let page = await joinRemembering(bruno, link, 'Bruno');
  await expect(page.getByText(`First conversation with Ana on this device. Their device key ${fingerprint} is now remembered.`)).toBeVisible();
  await ana.waitFor(/\* First conversation with Bruno on this device/);
  await ana.quit();
  await expect(connectionStatus(page)).toContainText('Ana left');
  await page.close();

  // Second meeting, a new terminal process with the same key file: recognised, no warning on either side.
  ({ ana, link } = await meet());
  page = await joinRemembering(bruno, link, 'Bruno');
  await expect(page.getByText(`You have talked with Ana on this device before (device key ${fingerprint}).`)).toBeVisible();
  await expect(page.getByRole('alert')).toHaveCount(0);
  await ana.waitFor(/\* You have talked with Bruno on this device before/);
  ana.type('hello again');
  await expect(page.getByRole('log')).toContainText('hello again');
  expect(ana.output()).not.toContain('[identity-changed]');
  await ana.quit();
  await page.close();

  // Ana makes a new key: the browser warns before showing anything from her.
  const newFingerprint = makeKeys(identity, '--force');
  expect(newFingerprint).not.toBe(fingerprint);
  ({ ana, link } = await meet());
  page = await joinRemembering(bruno, link, 'Bruno');
  await expect(page.getByRole('alert')).toContainText('[identity-changed]');
  ana.type('new laptop, same Ana');
  await ana.waitFor(/✓✓ Delivered: new laptop, same Ana/);
  await expect(page.getByText('new laptop, same Ana')).toHaveCount(0);
  await page.getByRole('button', { name: 'Show messages anyway' }).click();
  await expect(page.getByRole('log')).toContainText('new laptop, same Ana');
  await ana.quit();
  await page.close();

  // Someone else calling themselves Bruno, from another profile: the terminal holds their messages until /trust.
  const impostor = await newUser(browser);
  ({ ana, link } = await meet());
  await impostor.page.goto(link);
  await impostor.page.getByRole('textbox', { name: 'Your name' }).fill('Bruno');
  await impostor.page.getByRole('checkbox', { name: 'Remember me on this device' }).check();
  await impostor.page.getByRole('button', { name: 'Join' }).click();
  await expectSecure(impostor, 'Ana');
  await ana.waitFor(/\[identity-changed\]/);
  await ana.waitFor(/Messages from Bruno are held\. Type \/trust/);
  await send(impostor, 'trust me, it is really Bruno');
  await expect(impostor.page.getByRole('log').getByRole('listitem').filter({ hasText: 'trust me' })).toContainText('Delivered');
  expect(ana.output()).not.toContain('trust me, it is really Bruno');
  ana.type('/trust');
  await ana.waitFor(/\] Bruno: trust me, it is really Bruno/);
  await ana.quit();
  for (const user of [bruno, impostor]) await user.context.close();
});

test('--remember without a key file says so, names the file, and exits with 1', async ({}, testInfo) => {
  const missing = testInfo.outputPath('nobody.json');
  const ana = startTerminal(['--name', 'Ana', '--remember', '--identity', missing]);
  await ana.waitFor(/\[identity-file-missing\]/);
  expect(ana.output()).toContain(missing);
  await ana.quit();
  expect(ana.process.exitCode).toBe(1);
});
