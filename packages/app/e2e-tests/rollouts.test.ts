import { test, expect, Page } from '@playwright/test';
import { signInAsGuest, signInAsOps } from '@cairn/e2e-test-utils';

/*
 * The demo Stone (examples/kubernetes/stones/checkout.yaml) is seeded once,
 * mid-way through an update to nginx:1.28 up to Beta, so Omega awaits
 * approval; a kept dev cluster keeps the Stone as the last run (or person)
 * left it. So each test first brings the Stone to what it needs with what its
 * user may do, and the ops test leaves it as seeded: the tests pass in either
 * order, after a run that stopped midway, and on a kept cluster.
 */

const ZONES = ['local-1a', 'local-1b', 'local-1c'];
/** How long the operator may take to move a stage's pods on a loaded machine. */
const STAGE = { timeout: 120_000 };

async function openDemoRollouts(page: Page) {
  await page.goto('/catalog/default/component/checkout/rollouts');
  await expect(page.getByLabel('Release stages')).toBeVisible();
  await expect(
    page.getByRole('button', { name: 'Start staged update' }),
  ).toBeVisible();
}

/** The Abort button's reason while every pod runs one revision. */
const noUpdate = (page: Page) =>
  page.getByText(/^No update is under way: every pod runs \S+$/);

/**
 * Waits until the Stone is released or an update awaits its next stage, not
 * mid-way through its first release (a fresh cluster seeds the demo in the
 * background while the portal starts).
 */
async function waitForSettledStone(page: Page) {
  await expect(
    noUpdate(page)
      .or(page.getByRole('button', { name: /^Approve \w+$/ }))
      .first(),
  ).toBeVisible(STAGE);
}

/**
 * Starts a staged update (owners and ops may) to the image the Stone does
 * not run, and waits for it to be under way at Alpha.
 */
async function startUpdate(page: Page) {
  await page.getByRole('button', { name: 'Start staged update' }).click();
  const dialog = page.getByRole('dialog');
  const image = dialog.getByLabel('Image of web');
  // The seed updates nginx:1.27 to 1.28; if a person released 1.28, go back.
  await image.fill(
    (await image.inputValue()) === 'nginx:1.28' ? 'nginx:1.27' : 'nginx:1.28',
  );
  await dialog.getByRole('button', { name: 'Start update' }).click();
  await expect(dialog).toBeHidden();
  await expect(
    page.getByRole('button', { name: 'Approve Beta' }),
  ).toBeVisible();
}

/** Aborts the update under way and waits for every pod to be back on the current revision. */
async function abortUpdate(page: Page) {
  await page.getByRole('button', { name: 'Abort update' }).click();
  await page
    .getByRole('dialog')
    .getByRole('button', { name: 'Abort update' })
    .click();
  await expect(noUpdate(page)).toBeVisible(STAGE);
}

/** Approves `stage` (its preview open, then confirmed) once the stage before it is complete. */
async function approve(page: Page, stage: string) {
  const button = page.getByRole('button', { name: `Approve ${stage}` });
  await expect(button).toBeEnabled(STAGE);
  await button.click();
  await page
    .getByRole('dialog')
    .getByRole('button', { name: `Approve ${stage}` })
    .click();
  await expect(page.getByRole('dialog')).toBeHidden();
}

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

  // The demo Stone over the dev cluster's 3 zones.
  await expect(page.getByLabel('Release stages')).toBeVisible();
  for (const zone of ZONES) {
    await expect(
      page.getByRole('region', { name: `zone ${zone}` }),
    ).toBeVisible();
  }
  // Owners may start an update: mid-way through one is what the demo shows.
  await waitForSettledStone(page);
  if (await noUpdate(page).isVisible()) await startUpdate(page);

  // The next stage is for ops: the button says so, and cannot be pressed.
  const approveNext = page.getByRole('button', { name: /^Approve \w+$/ });
  await expect(approveNext).toBeDisabled();
  const next = (await approveNext.textContent())!.replace('Approve ', '');
  await expect(
    page.getByText(`Approving ${next} is for ops (group:default/ops)`),
  ).toBeVisible();
});

test('ops approve Beta after its preview of the pods, watch one pod per zone update, and abort the update', async ({
  page,
}) => {
  // Up to six stage changes of the operator in one test (two updates, two aborts).
  test.setTimeout(480_000);
  await signInAsOps(page);
  await openDemoRollouts(page);

  // From the start of an update: abort the one under way, if any.
  await waitForSettledStone(page);
  if (!(await noUpdate(page).isVisible())) await abortUpdate(page);
  const current = /runs (\S+)$/.exec((await noUpdate(page).textContent())!)![1];
  await startUpdate(page);

  // Alpha updates the first pod of the first group; Beta one per group, so
  // its preview names the first pod of each other group.
  const approveBeta = page.getByRole('button', { name: 'Approve Beta' });
  await expect(approveBeta).toBeEnabled(STAGE);
  await approveBeta.click();
  const dialog = page.getByRole('dialog');
  const preview = dialog.getByRole('table', { name: 'Pods that will change' });
  await expect(preview.getByRole('row')).toHaveCount(3); // the header and 2 pods
  await expect(preview).toContainText('checkout-b-0');
  await expect(preview).toContainText('checkout-c-0');
  await dialog.getByRole('button', { name: 'Approve Beta' }).click();
  await expect(dialog).toBeHidden();

  // The operator updates exactly those pods; the page follows by itself.
  // The topology's first line counts the Stone's pods, the zones' theirs.
  await expect(page.getByText(/^12 pods · 3 updated/)).toBeVisible(STAGE);
  for (const zone of ZONES) {
    await expect(
      page.getByRole('region', { name: `zone ${zone}` }),
    ).toContainText('4 pods · 1 updated');
  }
  await expect(page.getByRole('button', { name: 'Approve Omega' })).toBeEnabled(
    STAGE,
  );

  // Abort: every pod back on the revision the Stone was released on.
  await abortUpdate(page);
  await expect(noUpdate(page)).toHaveText(
    `No update is under way: every pod runs ${current}`,
  );

  // Leave the demo as seeded: the update up to Beta, Omega awaiting ops.
  await startUpdate(page);
  await approve(page, 'Beta');
  await expect(page.getByRole('button', { name: 'Approve Omega' })).toBeEnabled(
    STAGE,
  );
});
