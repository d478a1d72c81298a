import { test, expect } from '@playwright/test';
import { signInAsGuest } from '@cairn/e2e-test-utils';

test('the guest, an owner of the demo service but not ops, sees its Stone and may not approve a stage', async ({
  page,
}) => {
  await signInAsGuest(page);
  await page.goto('/catalog/default/component/checkout');
  await expect(
    page.getByRole('heading', { name: 'Checkout web tier' }),
  ).toBeVisible();
  await page.getByRole('tab', { name: 'Rollouts' }).click();
  await expect(page).toHaveURL(
    /\/catalog\/default\/component\/checkout\/rollouts$/,
  );

  // The demo Stone over the dev cluster's 3 zones, mid-way through an update.
  await expect(page.getByLabel('Release stages')).toBeVisible();
  for (const zone of ['local-1a', 'local-1b', 'local-1c']) {
    await expect(
      page.getByRole('region', { name: `zone ${zone}` }),
    ).toBeVisible();
  }

  // The next stage is for ops: the button says so, and cannot be pressed.
  const approve = page.getByRole('button', { name: /^Approve / });
  await expect(approve).toBeDisabled();
  const next = (await approve.textContent())!.replace('Approve ', '');
  await expect(
    page.getByText(`Approving ${next} is for ops (group:default/ops)`),
  ).toBeVisible();
});
