import { test, expect, Locator, Page } from '@playwright/test';
import { signInAsGuest } from '@cairn/e2e-test-utils';

/*
 * A developer looks for what failed: filters the Pipelines page's runs by
 * status, sends the address to a colleague, who opens it and sees the same
 * list, opens the failed demo run and lands on the failing task and step,
 * and goes back to the list. The list fits a 1280 px screen.
 */

const FAILED_RUN = 'payments-api-ci-demo-failed';
// The demo runs are started with the portal; the failed one takes a moment.
const runTimeout = { timeout: 120_000 };

const statusFilter = (page: Page) => page.getByLabel('Status', { exact: true });

/** Whether the element's nearest horizontally scrolling box has no overflow. */
async function fitsWithoutScroll(element: Locator): Promise<boolean> {
  return element.evaluate(start => {
    for (let el = start.parentElement; el; el = el.parentElement) {
      const overflow = getComputedStyle(el).overflowX;
      if (overflow === 'auto' || overflow === 'scroll') {
        return el.scrollWidth <= el.clientWidth;
      }
    }
    return document.documentElement.scrollWidth <= window.innerWidth;
  });
}

test('a filtered runs list is a link, and a failed run opens on its failing step', async ({
  page,
  context,
}) => {
  test.setTimeout(240_000);
  await signInAsGuest(page);
  await page.goto('/pipelines');

  await statusFilter(page).click();
  await page.getByRole('option', { name: 'failed' }).click();
  await page.keyboard.press('Escape');
  await expect(page).toHaveURL(/[?&]status=failed(&|$)/);
  await expect(page.getByRole('link', { name: FAILED_RUN })).toBeVisible(
    runTimeout,
  );
  const shared = page.url();

  // A colleague opens the address on a 1280 px screen: the same filter, the
  // same runs, every column without a scroll bar or a wrapped name.
  const colleague = await context.newPage();
  await colleague.setViewportSize({ width: 1280, height: 800 });
  await colleague.goto(shared);
  await expect(statusFilter(colleague)).toContainText('failed');
  const runLink = colleague.getByRole('link', { name: FAILED_RUN });
  await expect(runLink).toBeVisible(runTimeout);
  await expect(colleague.getByText('Succeeded', { exact: true })).toHaveCount(
    0,
  );
  expect(await fitsWithoutScroll(colleague.locator('table').first())).toBe(
    true,
  );
  // The name is on one line (its boxes share one top), not wrapped.
  const lineTops = await runLink.evaluate(
    a => new Set([...a.getClientRects()].map(r => Math.round(r.top))).size,
  );
  expect(lineTops).toBe(1);

  // The failed run opens on the task that failed and its failing step.
  await runLink.click();
  await expect(colleague.getByText('Task unit-tests')).toBeVisible();
  await expect(colleague.getByTestId('dag-node-unit-tests')).toHaveAttribute(
    'data-status',
    'failed',
  );
  // Its failing step is the one shown (the demo's log may predate the
  // dev cluster's last restart, so its text is not asserted here).
  const failedStep = colleague.getByRole('row', { name: /^test Error 1 / });
  await expect(failedStep).toHaveCSS('background-color', 'rgb(227, 242, 253)');
  await expect(colleague.getByText('Log of step test')).toBeVisible();

  // Back to the filtered list.
  await colleague.goBack();
  await expect(colleague).toHaveURL(/[?&]status=failed(&|$)/);
  await expect(statusFilter(colleague)).toContainText('failed');
});
