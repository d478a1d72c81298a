import { test, expect, Page } from '@playwright/test';
import { signInAsGuest, signInAsOps } from '@cairn/e2e-test-utils';

/*
 * Requests from the portal: the guest (a member of team-storefront) asks
 * for an environment on the team's page, ops (alice) open the notification
 * and approve it in one click; the guest then asks for more quota for it,
 * ops approve that too from the notification, and the team's page shows
 * the new quota, enforced by the cluster. The run leaves the dev cluster
 * as it found it: ops delete the environment with its namespace.
 */

/** A page of the sidebar (no reload: the sign-in stays). */
async function openFromSidebar(page: Page, name: string) {
  await page.getByRole('link', { name, exact: true }).click();
}

/** Ops open the newest notification titled `title` and approve the request it links to. */
async function approveFromNotification(page: Page, title: string) {
  await openFromSidebar(page, 'Notifications');
  await page.getByText(title).first().click();
  await expect(page.getByRole('tab', { name: 'Requests' })).toHaveAttribute(
    'aria-selected',
    'true',
  );
  const request = page.getByRole('region', { name: /^request / }).first();
  await expect(request).toContainText(
    title.includes('quota') ? 'More quota' : 'New environment',
  );
  await request.getByRole('button', { name: 'Approve' }).click();
  await expect(request).toContainText('Approved by user:default/alice');
}

/**
 * The guest's team page from the sidebar, read anew, until its environment
 * card shows `text` (for an environment: once the operator reports its
 * quota). The dev portal's backend restarts when its code changes, so the
 * page is opened again until then.
 */
async function expectOnTeamPage(page: Page, name: string, text: string) {
  await expect(async () => {
    await openFromSidebar(page, 'Catalog');
    await openFromSidebar(page, 'My Group');
    await expect(
      page.getByRole('region', { name: `environment ${name}` }),
    ).toContainText(text, { timeout: 10_000 });
  }).toPass({ timeout: 120_000 });
  return page.getByRole('region', { name: `environment ${name}` });
}

test('the guest requests an environment and more quota, ops approve each from the notification in one click', async ({
  browser,
}) => {
  // Two requests, each made so by the operator, on a shared machine.
  test.setTimeout(360_000);
  const name = `storefront-req-${Date.now().toString(36)}`;
  const guest = await browser.newPage();
  const ops = await browser.newPage();
  await signInAsGuest(guest);
  await signInAsOps(ops);
  try {
    // The guest asks for an environment on the team's page.
    await openFromSidebar(guest, 'My Group');
    await guest.getByRole('button', { name: 'Request environment' }).click();
    let dialog = guest.getByRole('dialog');
    const field = (label: string) =>
      dialog.getByRole('textbox', { name: label, exact: true });
    await field('Name').fill(name);
    await field('Zones').fill('local-1b');
    await field('Quota pods').fill('5');
    await field('Reason').fill('QA before the spring sale');
    await dialog.getByRole('button', { name: 'Send request' }).click();
    await expect(
      dialog.getByRole('link', { name: 'your request' }),
    ).toBeVisible();
    await dialog.getByRole('button', { name: 'Close' }).click();

    // Ops approve it from the notification; the operator makes it Ready.
    await approveFromNotification(
      ops,
      `group:default/team-storefront requests environment ${name} on cluster dev`,
    );

    // The team's page shows it; the guest asks for more pods.
    const card = await expectOnTeamPage(guest, name, 'pods: 0 / 5');
    await card.getByRole('button', { name: 'Request more quota' }).click();
    dialog = guest.getByRole('dialog');
    await field('Quota pods').fill('8');
    await expect(
      dialog.getByRole('table', { name: 'quota change' }),
    ).toContainText('raise');
    await field('Reason').fill('the sale needs three more pods');
    await dialog.getByRole('button', { name: 'Send request' }).click();
    await expect(
      dialog.getByRole('link', { name: 'your request' }),
    ).toBeVisible();
    await dialog.getByRole('button', { name: 'Close' }).click();

    // Ops see the diff and approve in one click.
    await approveFromNotification(
      ops,
      `group:default/team-storefront requests more quota for environment ${name} on cluster dev`,
    );

    // The new quota is the environment's, enforced by the cluster.
    await expectOnTeamPage(guest, name, 'pods: 0 / 8');
  } finally {
    // Ops delete it with its namespace (a requested environment orphans it by default).
    await openFromSidebar(ops, 'Environments');
    await ops.getByRole('tab', { name: 'Environments' }).click();
    const row = ops.getByRole('row').filter({ hasText: name });
    if (await row.count()) {
      await row.click();
      await ops.getByRole('button', { name: 'Edit' }).click();
      const form = ops.getByRole('dialog');
      await form
        .getByRole('button', { name: /When the environment is deleted/ })
        .click();
      await ops.getByRole('option', { name: 'delete the namespace' }).click();
      await form.getByRole('button', { name: 'Save' }).click();
      await expect(form).toBeHidden();
      ops.once('dialog', d => d.accept());
      await ops.getByRole('button', { name: 'Delete' }).click();
      await expect(row).toHaveCount(0, { timeout: 120_000 });
    }
    await guest.close();
    await ops.close();
  }
});
