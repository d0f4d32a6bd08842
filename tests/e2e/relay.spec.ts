/**
 * Across the internet, on loopback: a real coturn (deploy/turnserver.conf, with loopback
 * peers allowed for this test only) and a Duet server of its own that hands out coturn's
 * REST credentials (TURN_URLS + TURN_SECRET). "Hide my IP address from my peer" makes
 * the connection relay-only: both statuses say Relayed, and neither side ever sees a
 * candidate but the relay's. Without it, on one machine, the connection is Direct. The
 * shared server (no TURN) shows the option disabled, with its reason.
 */
import { type Browser, type Page, expect, test } from '@playwright/test';
import { type SignalingServer, createSignalingServer } from '../../signaling/server.ts';
import { type Coturn, skipWithoutCoturn, startCoturn } from '../unit/helpers/coturn.ts';
import { type User, connectionStatus, expectSecure, joinByLink, newUser, send } from './users.ts';

const SECRET = 'e2e-turn-secret';
const HIDE = 'Hide my IP address from my peer';

interface Candidate {
  type: string;
  address: string;
  port: number;
}
interface Diagnostics {
  localCandidates: Candidate[];
  remoteCandidates: Candidate[];
  route: string;
}

function diagnostics(user: User): Promise<Diagnostics> {
  return user.page.evaluate(() => (window as unknown as { __duet: { diagnostics(): Promise<Diagnostics> } }).__duet.diagnostics());
}

test.describe('through a TURN relay', () => {
  test.describe.configure({ mode: 'serial' });
  let coturn: Coturn | undefined;
  let server: SignalingServer | undefined;

  test.beforeAll(async () => {
    if (skipWithoutCoturn()) return;
    coturn = await startCoturn(SECRET, { allowLoopbackPeers: true, verbose: true });
    server = await createSignalingServer({
      port: 0,
      host: '127.0.0.1',
      staticDir: 'dist',
      log: () => {},
      ice: { kind: 'turn-rest', stunUrls: [], turnUrls: [`turn:127.0.0.1:${coturn.port}?transport=udp`], secret: SECRET, ttlSeconds: 600 },
    });
  });

  test.afterAll(async () => {
    await server?.close();
    await coturn?.stop();
  });

  async function createRoomAt(page: Page, name: string, hideAddress: boolean): Promise<string> {
    await page.goto(`${server!.url}/`);
    await page.getByRole('textbox', { name: 'Your name' }).fill(name);
    const hide = page.getByRole('checkbox', { name: HIDE });
    await expect(hide).toBeEnabled();
    if (hideAddress) await hide.check();
    await page.getByRole('button', { name: 'Create room' }).click();
    await expect(connectionStatus(page)).toContainText('Waiting for your peer');
    return (await page.getByRole('link', { name: 'Room link' }).textContent())!;
  }

  /** Alice creates a room (hiding her address or not), Bruno joins with the link; both secure. */
  async function securePairAt(browser: Browser, hideAddress: boolean): Promise<[User, User]> {
    const alice = await newUser(browser);
    const bruno = await newUser(browser);
    await joinByLink(bruno, await createRoomAt(alice.page, 'Alice', hideAddress), 'Bruno');
    await Promise.all([expectSecure(alice, 'Bruno'), expectSecure(bruno, 'Alice')]);
    return [alice, bruno];
  }

  test('with "Hide my IP address" on one side, both chat through the relay, say Relayed, and see only relay candidates', async ({ browser }) => {
    test.skip(!coturn, 'coturn is not installed');
    const [alice, bruno] = await securePairAt(browser, true);
    await send(alice, 'through the relay');
    await expect(bruno.page.getByRole('log')).toContainText('through the relay');
    await send(bruno, 'and back');
    await expect(alice.page.getByRole('log')).toContainText('and back');

    await expect(connectionStatus(alice.page)).toContainText('Relayed');
    await expect(connectionStatus(bruno.page)).toContainText('Relayed');
    const [mine, theirs] = await Promise.all([diagnostics(alice), diagnostics(bruno)]);
    expect(mine.route).toBe('relayed');
    // Alice gathered relay candidates only, and Bruno never learned another of hers.
    expect(mine.localCandidates.length).toBeGreaterThan(0);
    expect(mine.localCandidates.every((c) => c.type === 'relay')).toBe(true);
    expect(theirs.remoteCandidates.length).toBeGreaterThan(0);
    // (One may read as peer-reflexive: her checks through the relay came before her candidate.)
    const herRelays = new Set(mine.localCandidates.map((c) => `${c.address}:${c.port}`));
    expect(theirs.remoteCandidates.every((c) => c.type === 'relay' || (c.type === 'prflx' && herRelays.has(`${c.address}:${c.port}`)))).toBe(true);
    // coturn granted a relay for the server's credentials, and a permission toward the peer.
    expect(coturn!.log()).toMatch(/ALLOCATE processed, success/);
    expect(coturn!.log()).toMatch(/CREATE_PERMISSION processed, success/);

    // Remembered on this device: the next visit has it on.
    await alice.page.getByRole('button', { name: 'Leave' }).click();
    await alice.page.goto(`${server!.url}/`);
    await expect(alice.page.getByRole('checkbox', { name: HIDE })).toBeChecked();
    await alice.context.close();
    await bruno.context.close();
  });

  test('with credentials the relay refuses, "Hide my IP address" says so (relay-failed) instead of waiting for the peer', async ({ browser }) => {
    test.skip(!coturn, 'coturn is not installed');
    // A Duet server whose TURN secret is not coturn's: every credential it hands out is refused (401).
    const wrong = await createSignalingServer({
      port: 0,
      host: '127.0.0.1',
      staticDir: 'dist',
      log: () => {},
      ice: { kind: 'turn-rest', stunUrls: [], turnUrls: [`turn:127.0.0.1:${coturn!.port}?transport=udp`], secret: 'not-the-turn-secret', ttlSeconds: 600 },
    });
    try {
      const alice = await newUser(browser);
      const bruno = await newUser(browser);
      await alice.page.goto(`${wrong.url}/`);
      await alice.page.getByRole('textbox', { name: 'Your name' }).fill('Alice');
      await alice.page.getByRole('checkbox', { name: HIDE }).check();
      await alice.page.getByRole('button', { name: 'Create room' }).click();
      await expect(connectionStatus(alice.page)).toContainText('Waiting for your peer');
      await joinByLink(bruno, (await alice.page.getByRole('link', { name: 'Room link' }).textContent())!, 'Bruno');
      await expect(connectionStatus(alice.page)).toContainText('[relay-failed]');
      await expect(connectionStatus(alice.page)).toContainText('the relay (TURN) server could not be used');
      // The other side hears that the setup ended; nobody chats, and nothing went direct.
      await expect(connectionStatus(bruno.page)).toContainText('[peer-left-early]');
      await expect(alice.page.getByRole('log')).toHaveCount(0);
      expect(coturn!.log()).toMatch(/401/);
      await alice.context.close();
      await bruno.context.close();
    } finally {
      await wrong.close();
    }
  });

  test('without it, two browsers on one machine connect Direct', async ({ browser }) => {
    test.skip(!coturn, 'coturn is not installed');
    const [alice, bruno] = await securePairAt(browser, false);
    await send(alice, 'straight across');
    await expect(bruno.page.getByRole('log')).toContainText('straight across');
    await expect(connectionStatus(alice.page)).toContainText('Direct');
    await expect(connectionStatus(bruno.page)).toContainText('Direct');
    expect((await diagnostics(alice)).localCandidates.some((c) => c.type === 'host')).toBe(true);
    await alice.context.close();
    await bruno.context.close();
  });
});

test('a server without TURN shows "Hide my IP address" disabled, and says why', async ({ browser }) => {
  const user = await newUser(browser);
  await user.page.goto('/');
  await expect(user.page.getByRole('checkbox', { name: HIDE })).toBeDisabled();
  await expect(user.page.getByText('This Duet server offers no relay (TURN) server, so your IP address cannot be hidden from your peer.')).toBeVisible();
  await expect(user.page.getByRole('checkbox', { name: HIDE })).not.toBeChecked();
  await user.context.close();
});
