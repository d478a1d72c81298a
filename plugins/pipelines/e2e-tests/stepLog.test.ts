import { test, expect, Page } from '@playwright/test';
import { signInAsGuest } from '@cairn/e2e-test-utils';
import { startStorefrontRun } from './startRun';

/*
 * A developer watches the tests of the storefront's pipeline: opens the
 * running step's log and sees its lines arrive, then reads the whole log
 * once the run has finished. The log of a step whose run was cancelled is
 * still there after Tekton deleted its pod.
 */

const runTimeout = { timeout: 120_000 };
const FIRST_LINE = 'Running the unit suite on revision main';
const LAST_LINE = 'PASS 42 tests';

const caption = (page: Page) => page.getByText(/^Log of step test/);

async function openRunningTests(page: Page) {
  const unitTests = page.getByTestId('dag-node-unit-tests');
  await expect(unitTests).toHaveAttribute('data-status', 'running', runTimeout);
  await unitTests.click();
  // The step's first line, followed while the step runs.
  await expect(caption(page)).toContainText('following live');
  await expect(page.getByText(FIRST_LINE)).toBeVisible();
}

test.beforeEach(async ({ page }) => {
  await signInAsGuest(page);
  await page.goto('/catalog/default/component/storefront-web/ci-cd');
});

test("a running step's log is followed live, and read whole once the run has finished", async ({
  page,
}) => {
  test.setTimeout(300_000);
  await startStorefrontRun(page, { 'test-seconds': '45' });
  await openRunningTests(page);

  // The suite ends: its last line arrives in the same view, and the run
  // goes on to build the image.
  await expect(page.getByText(LAST_LINE)).toBeVisible(runTimeout);
  await expect(page.getByTestId('dag-node-build-image')).toHaveAttribute(
    'data-status',
    'succeeded',
    runTimeout,
  );
  await expect(caption(page)).not.toContainText('following live');
  await expect(page.getByText(FIRST_LINE)).toBeVisible();
  await expect(page.getByText(LAST_LINE)).toBeVisible();

  // Read again later (a new page load): the whole log, from the archive.
  await page.reload();
  await page.getByTestId('dag-node-unit-tests').click();
  await expect(page.getByText(FIRST_LINE)).toBeVisible();
  await expect(page.getByText(LAST_LINE)).toBeVisible();
  await expect(caption(page)).not.toContainText('following live');
});

test('the log of a step whose run was cancelled is kept', async ({ page }) => {
  test.setTimeout(300_000);
  await startStorefrontRun(page, { 'test-seconds': '600' });
  await openRunningTests(page);

  await page.getByRole('button', { name: 'Cancel', exact: true }).click();
  await page.getByLabel(/^Cancelled —/).check();
  await page.getByRole('button', { name: 'Cancel run' }).click();
  await expect(page.getByTestId('dag-node-unit-tests')).toHaveAttribute(
    'data-status',
    'cancelled',
    runTimeout,
  );

  // Opened afresh, the cancelled run shows its cancelled task, and the
  // step's log as far as it got, though its pod is gone.
  await page.reload();
  await expect(page.getByText('Task unit-tests')).toBeVisible();
  await expect(page.getByText(FIRST_LINE)).toBeVisible();
  await expect(caption(page)).not.toContainText('following live');
  await expect(page.getByText(LAST_LINE)).toHaveCount(0);
});
