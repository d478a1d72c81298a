import { expect, Page } from '@playwright/test';

/**
 * Signs in to the portal as the demo guest (team-storefront) and waits for
 * the catalog. Waits for the backend first: the dev server can be up before
 * it is.
 */
export async function signInAsGuest(page: Page) {
  await expect
    .poll(
      // A refused connection (backend restarting) counts as not ready yet.
      () =>
        page.request
          .get('http://localhost:7007/.backstage/health/v1/readiness')
          .then(
            response => response.status(),
            () => 0,
          ),
      { timeout: 120_000 },
    )
    .toBe(200);
  await page.goto('/');
  await page.getByRole('button', { name: 'Enter' }).click();
  await expect(
    page.getByRole('heading', { name: 'Acme Catalog' }),
  ).toBeVisible();
}
