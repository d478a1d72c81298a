import { test, expect, Page } from '@playwright/test';
import { signInAsGuest, signInAsOps } from '@cairn/e2e-test-utils';

/*
 * Environments from the portal: ops (alice, "Ops (demo)") label a node on
 * the Nodes drawing, create an environment for team-storefront bound to one
 * zone on the placement drawing, and see the operator make it Ready; the
 * guest (a member of team-storefront) then sees it on the team's page. The
 * run leaves the dev cluster as it found it: the node gets its rack back
 * and the environment is deleted with its namespace.
 */

const NODE = 'node-c2-3';
const RACK = 'local-1c-r2';
const SPARE_RACK = 'local-1c-spare';

/** The Environments page from the sidebar (no reload: the sign-in stays). */
async function openEnvironments(page: Page) {
  await page.getByRole('link', { name: 'Environments' }).click();
  await expect(
    page.getByRole('heading', { level: 1, name: 'Environments' }),
  ).toBeVisible();
}

async function labelRack(page: Page, rack: string) {
  await page.getByRole('tab', { name: 'Nodes' }).click();
  await page.locator(`[data-node="${NODE}"]`).click();
  await page.getByRole('button', { name: 'Label selected (1)' }).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByRole('textbox', { name: 'Rack' }).fill(rack);
  await dialog.getByRole('button', { name: 'Write labels' }).click();
  await expect(dialog).toBeHidden();
  await expect(
    page
      .getByLabel(`rack ${rack}`, { exact: true })
      .locator(`[data-node="${NODE}"]`),
  ).toBeVisible();
}

test('ops label a node, create an environment for team-storefront on one zone, and the team sees it', async ({
  page,
  browser,
}) => {
  const name = `storefront-e2e-${Date.now().toString(36)}`;
  await signInAsOps(page);
  await openEnvironments(page);

  // Label a node: it moves to its new rack on the drawing.
  await labelRack(page, SPARE_RACK);
  try {
    // Create the environment, placed on zone local-1b.
    await page.getByRole('tab', { name: 'Environments' }).click();
    await page.getByRole('button', { name: 'Create environment' }).click();
    const form = page.getByRole('dialog');
    const field = (label: string) =>
      form.getByRole('textbox', { name: label, exact: true });
    await field('Name').fill(name);
    await field('Namespace').fill(name);
    await field('Owner group').fill('group:default/team-storefront');
    await form.getByRole('button', { name: 'Zone local-1b' }).click();
    await expect(
      form.getByText(/green nodes \(6: zones local-1b\)/),
    ).toBeVisible();
    await field('Quota pods').fill('10');
    await field('Quota requests.cpu').fill('2');
    await form
      .getByRole('button', { name: /When the environment is deleted/ })
      .click();
    await page.getByRole('option', { name: 'delete the namespace' }).click();
    await form.getByRole('button', { name: 'Create' }).click();
    await expect(form).toBeHidden();

    // The operator resolves the zone to its six nodes and sets up the quota.
    await expect(page.getByText(`Environment ${name}`)).toBeVisible();
    const row = page.getByRole('row').filter({ hasText: name });
    await expect(row).toContainText('Ready', { timeout: 120_000 });
    await expect(row).toContainText('zones local-1b');
    await expect(page.getByText('pods: 0 / 10')).toBeVisible();

    // The team's page shows it to a member of the team.
    const guest = await browser.newPage();
    await signInAsGuest(guest);
    await guest.goto('/catalog/default/group/team-storefront');
    const card = guest.getByRole('region', { name: `environment ${name}` });
    await expect(card).toContainText('Ready');
    await expect(card).toContainText('zones local-1b (6 nodes)');
    await expect(card).toContainText('owner');
    await guest.close();

    // Delete it with its namespace.
    page.once('dialog', dialog => dialog.accept());
    await page.getByRole('button', { name: 'Delete' }).click();
    await expect(row).toHaveCount(0, { timeout: 120_000 });
  } finally {
    // Leave the node as it was; a failure here is reported after the test's own.
    await openEnvironments(page)
      .then(() => labelRack(page, RACK))
      .catch(error =>
        // eslint-disable-next-line no-console
        console.error(`could not give ${NODE} its rack back: ${error}`),
      );
  }
});
