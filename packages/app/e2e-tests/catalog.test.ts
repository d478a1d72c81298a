import { test, expect } from '@playwright/test';
import { signInAsGuest } from '@cairn/e2e-test-utils';

test('a guest finds the demo services and opens one on Kubernetes', async ({
  page,
}) => {
  await signInAsGuest(page);
  // The guest belongs to team-storefront; list everyone's components.
  await page.getByRole('menuitem', { name: /^All/ }).click();
  for (const title of ['Payments API', 'Inventory service', 'Storefront']) {
    await expect(
      page.getByRole('link', { name: title, exact: true }),
    ).toBeVisible();
  }

  await page.getByRole('link', { name: 'Payments API', exact: true }).click();
  await expect(
    page.getByRole('heading', { name: 'Payments API' }),
  ).toBeVisible();
  await page.getByRole('tab', { name: 'Kubernetes' }).click();
  await expect(page).toHaveURL(
    /\/catalog\/default\/component\/payments-api\/kubernetes$/,
  );
  await expect(page.getByText('Your Clusters')).toBeVisible();
  // The portal runs on the dev cluster, seeded with the demo workloads: the
  // service's 2 replicas, and the pods of its demo CI runs once the seed has
  // run them (Tekton gives them the run's backstage.io/kubernetes-id label).
  // A kept cluster may show restarts in Error Reporting, which names the
  // cluster too: the cluster's card is the button.
  const cluster = page.getByRole('button', { name: /^Dev cluster \(local\)/ });
  await expect(cluster).toBeVisible();
  await expect(cluster).toContainText(/\d+ pods/);
  await cluster.click();
  await expect(
    page.getByText('payments-api', { exact: true }).first(),
  ).toBeVisible();
});
