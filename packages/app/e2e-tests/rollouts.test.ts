import { test, expect, Page } from '@playwright/test';
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

/*
 * Guest sign-in names one user, so the ops half runs when the portal signs
 * the guest in as the demo ops user alice (README, "Rollouts demo"):
 *   APP_CONFIG_auth_providers_guest_userEntityRef=user:default/alice \
 *     yarn playwright test packages/app/e2e-tests/rollouts.test.ts
 * (on a portal this run starts, not one already serving :3000).
 */
const OPS_USER = 'user:default/alice';

/** Takes the demo Stone, released, into its seeded state: the update to nginx:1.28 up to Beta. */
async function startDemoUpdate(page: Page) {
  await page.getByRole('button', { name: 'Start staged update' }).click();
  const start = page.getByRole('dialog');
  await start.getByLabel('Image of web').fill('nginx:1.28');
  await start.getByRole('button', { name: 'Start update' }).click();
  await expect(start).toBeHidden();
  const approveBeta = page.getByRole('button', { name: 'Approve Beta' });
  await expect(approveBeta).toBeEnabled({ timeout: 120_000 });
  await approveBeta.click();
  await page
    .getByRole('dialog')
    .getByRole('button', { name: 'Approve Beta' })
    .click();
  await expect(page.getByRole('button', { name: 'Approve Omega' })).toBeEnabled(
    { timeout: 120_000 },
  );
}

test('ops approve the demo Stone’s next stage, watch its pods update, and abort the update', async ({
  page,
}) => {
  test.skip(
    process.env.APP_CONFIG_auth_providers_guest_userEntityRef !== OPS_USER,
    `needs the portal's guest to be ${OPS_USER}`,
  );
  await signInAsGuest(page);
  await page.goto('/catalog/default/component/checkout/rollouts');
  await expect(page.getByLabel('Release stages')).toBeVisible();
  // A persisted dev cluster keeps the Stone as an earlier run left it.
  if (await page.getByText(/^No update is under way/).isVisible()) {
    await startDemoUpdate(page);
  }
  // The topology's first line counts the Stone's pods (the zones' lines follow).
  const updated = page.getByText(/^\d+ pods\W+\d+ updated/).first();
  const updatedCount = async () =>
    Number(/(\d+) updated/.exec((await updated.textContent())!)![1]);
  await expect(updated).toBeVisible();
  const before = await updatedCount();
  const current = /current (\S+) →/.exec(
    (await page.getByText(/^current \S+ → update/).textContent())!,
  )![1];

  const approve = page.getByRole('button', { name: /^Approve / });
  await expect(approve).toBeEnabled();
  const next = (await approve.textContent())!.replace('Approve ', '');
  await approve.click();
  const dialog = page.getByRole('dialog');
  const podRows = dialog
    .getByRole('table', { name: 'Pods that will change' })
    .getByRole('row');
  // The header and one row per pod the stage moves.
  await expect.poll(() => podRows.count()).toBeGreaterThan(1);
  const moved = (await podRows.count()) - 1;
  await dialog.getByRole('button', { name: `Approve ${next}` }).click();
  await expect(dialog).toBeHidden();

  // The operator updates exactly the previewed pods; the page follows.
  await expect.poll(updatedCount, { timeout: 120_000 }).toBe(before + moved);
  for (const zone of ['local-1a', 'local-1b', 'local-1c']) {
    await expect(
      page.getByRole('region', { name: `zone ${zone}` }),
    ).toContainText(/[1-9]\d* updated/);
  }

  await page.getByRole('button', { name: 'Abort update' }).click();
  await page
    .getByRole('dialog')
    .getByRole('button', { name: 'Abort update' })
    .click();
  // Every pod back on the revision the Stone was released on.
  await expect(
    page.getByText(`No update is under way: every pod runs ${current}`),
  ).toBeVisible({ timeout: 120_000 });
  // Leave the demo as it was found.
  await startDemoUpdate(page);
});
