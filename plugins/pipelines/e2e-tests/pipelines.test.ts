import { test, expect } from '@playwright/test';
import { signInAsGuest } from '@cairn/e2e-test-utils';
import { startStorefrontRun as startRun } from './startRun';

/*
 * A developer of team-storefront (the guest) runs the storefront's pipeline
 * from its CI/CD tab on the dev cluster's Tekton: starts it, watches the
 * graph go green, reads a step's log, reruns it, and cancels a long run.
 */

const runTimeout = { timeout: 120_000 };

test('start, follow, rerun and cancel a pipeline run', async ({ page }) => {
  test.setTimeout(300_000);
  await signInAsGuest(page);
  await page.goto('/catalog/default/component/storefront-web/ci-cd');
  await expect(
    page.getByRole('heading', { name: 'Pipeline runs', exact: true }),
  ).toBeVisible();

  // Start a run and watch its graph go green.
  const firstRun = await startRun(page);
  const buildImage = page.getByTestId('dag-node-build-image');
  await expect(buildImage).toHaveAttribute(
    'data-status',
    'succeeded',
    runTimeout,
  );
  for (const task of ['fetch-source', 'unit-tests', 'lint']) {
    await expect(page.getByTestId(`dag-node-${task}`)).toHaveAttribute(
      'data-status',
      'succeeded',
    );
  }

  // A step's log, from the task picked in the graph.
  await page.getByTestId('dag-node-unit-tests').click();
  await expect(page.getByText('PASS 42 tests')).toBeVisible();

  // Rerun opens a new run of the same pipeline, which succeeds too.
  await page.getByRole('button', { name: 'Rerun' }).click();
  await page.getByRole('button', { name: 'Rerun', exact: true }).last().click();
  await expect(page).not.toHaveURL(firstRun);
  await expect(page).toHaveURL(/\/ci-cd\/runs\/dev\/shop\/storefront-web-ci-/);
  await expect(page.getByTestId('dag-node-build-image')).toHaveAttribute(
    'data-status',
    'succeeded',
    runTimeout,
  );

  // Cancel a run while its tests are still running.
  await page.goto('/catalog/default/component/storefront-web/ci-cd');
  await startRun(page, { 'test-seconds': '600' });
  await expect(page.getByTestId('dag-node-unit-tests')).toHaveAttribute(
    'data-status',
    'running',
    runTimeout,
  );
  await page.getByRole('button', { name: 'Cancel', exact: true }).click();
  await page.getByLabel(/^Cancelled —/).check();
  await page.getByRole('button', { name: 'Cancel run' }).click();
  await expect(page.getByTestId('dag-node-unit-tests')).toHaveAttribute(
    'data-status',
    'cancelled',
    runTimeout,
  );
});
