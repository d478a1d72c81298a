import { expect, Page } from '@playwright/test';

/**
 * Starts a run of the storefront's pipeline from the entity's CI/CD tab
 * (where the page is), with these params, and returns the new run's address,
 * which starting opens.
 */
export async function startStorefrontRun(
  page: Page,
  params: Record<string, string> = {},
): Promise<string> {
  await page.getByRole('button', { name: 'Start run' }).click();
  await page.getByRole('button', { name: /storefront-web-ci/ }).click();
  for (const [name, value] of Object.entries(params)) {
    await page.getByLabel(name, { exact: true }).fill(value);
  }
  await page.getByRole('button', { name: 'Start', exact: true }).click();
  await expect(page).toHaveURL(/\/ci-cd\/runs\/dev\/shop\/storefront-web-ci-/);
  return page.url();
}
