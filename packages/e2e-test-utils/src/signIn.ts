import { expect, Page } from '@playwright/test';

/** Waits for the backend (the dev server can be up before it is), then opens the sign-in page. */
async function openSignInPage(page: Page) {
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
}

async function expectCatalog(page: Page) {
  await expect(
    page.getByRole('heading', { name: 'Acme Catalog' }),
  ).toBeVisible();
}

/**
 * Signs in to the portal as the demo guest (`user:default/guest`, a member
 * of team-storefront, owner of the demo services) and waits for the catalog.
 */
export async function signInAsGuest(page: Page) {
  await openSignInPage(page);
  await page.getByRole('button', { name: 'Enter' }).click();
  await expectCatalog(page);
}

/**
 * Signs in to the portal with "Ops (demo)" as the demo ops user
 * (`user:default/alice`, a member of group:default/ops: she may approve
 * release stages) and waits for the catalog. The local portal offers it
 * from app-config.yaml (`auth.providers.demoOps`, `cairn.signIn.providers`).
 */
export async function signInAsOps(page: Page) {
  await openSignInPage(page);
  await page
    .getByRole('listitem')
    .filter({ has: page.getByText('Ops (demo)', { exact: true }) })
    .getByRole('button', { name: 'Sign In' })
    .click();
  await expectCatalog(page);
}
