import AxeBuilder from '@axe-core/playwright';
import { type Page, expect } from '@playwright/test';

/** Runs axe on the page as it is now; any violation fails with where it is. */
export async function expectNoViolations(page: Page, screen: string): Promise<void> {
  const results = await new AxeBuilder({ page }).analyze();
  const summary = results.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  expect(summary, `${screen}`).toEqual([]);
}
