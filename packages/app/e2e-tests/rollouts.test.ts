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

/**
 * Waits until `stage` may be approved without force: ops may press the
 * button while the stage before it is still rolling out (to force it), so
 * enabled is not enough; the refusal under the button must be gone.
 */
async function awaitApprovable(page: Page, stage: string) {
  const button = page.getByRole('button', { name: `Approve ${stage}` });
  await expect(button).toBeEnabled(STAGE);
  await expect(button).toHaveAccessibleDescription('', STAGE);
  return button;
}

/** Approves `stage` (its preview open, then confirmed) once the stage before it is complete. */
async function approve(page: Page, stage: string) {
  await (await awaitApprovable(page, stage)).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByRole('button', { name: `Approve ${stage}` }).click();
  await expect(dialog).toBeHidden();
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

/** The topology's first line counts the Stone's pods; each zone's region counts its own. */
async function expectUpdated(page: Page, stone: number, perZone: number) {
  await expect(
    page.getByText(new RegExp(`^12 pods · ${stone} updated`)),
  ).toBeVisible(STAGE);
  for (const zone of ZONES) {
    await expect(
      page.getByRole('region', { name: `zone ${zone}` }),
    ).toContainText(`4 pods · ${perZone} updated`);
  }
}

/** From the start of an update: aborts the one under way, if any; returns the revision every pod runs. */
async function releasedRevision(page: Page) {
  await waitForSettledStone(page);
  if (!(await noUpdate(page).isVisible())) await abortUpdate(page);
  return /runs (\S+)$/.exec((await noUpdate(page).textContent())!)![1];
}

test('ops take an update through every stage, Beta after its preview of the pods, and roll it back', async ({
  page,
}) => {
  // Seven stage changes of the operator (an abort, two updates of 3 stages).
  test.setTimeout(600_000);
  await signInAsOps(page);
  await openDemoRollouts(page);
  const released = await releasedRevision(page);
  await startUpdate(page);

  // Alpha updates the first pod of the first group; Beta one per group, so
  // its preview names the first pod of each other group.
  await (await awaitApprovable(page, 'Beta')).click();
  const dialog = page.getByRole('dialog');
  const preview = dialog.getByRole('table', { name: 'Pods that will change' });
  await expect(preview.getByRole('row')).toHaveCount(3); // the header and 2 pods
  await expect(preview).toContainText('checkout-b-0');
  await expect(preview).toContainText('checkout-c-0');
  await dialog.getByRole('button', { name: 'Approve Beta' }).click();
  await expect(dialog).toBeHidden();
  // The operator updates exactly those pods; the page follows by itself.
  await expectUpdated(page, 3, 1);

  // Omega: one pod per listed host (3 per zone); Release: the rest.
  await approve(page, 'Omega');
  await expectUpdated(page, 9, 3);
  await approve(page, 'Release');
  await expectUpdated(page, 12, 4);
  await expect(noUpdate(page)).toBeVisible(STAGE);
  const updated = /runs (\S+)$/.exec((await noUpdate(page).textContent())!)![1];
  expect(updated).not.toBe(released);

  // Roll back to the revision released before: its diff shows the image
  // going back, and it is staged from Alpha like any update.
  await page.getByRole('button', { name: 'Roll back' }).click();
  const rollback = page.getByRole('dialog');
  await rollback
    .getByRole('radio', { name: new RegExp(`^${released} `) })
    .check();
  await expect(rollback.getByLabel('Template diff')).toContainText('image');
  await rollback.getByRole('button', { name: 'Roll back' }).click();
  await expect(rollback).toBeHidden();
  for (const stage of ['Beta', 'Omega', 'Release']) await approve(page, stage);
  await expect(noUpdate(page)).toHaveText(
    `No update is under way: every pod runs ${released}`,
    STAGE,
  );
  await expectUpdated(page, 12, 4);
});

test('ops abort an update: every pod goes back to the released revision', async ({
  page,
}) => {
  // Up to four stage changes of the operator (two aborts, two updates).
  test.setTimeout(480_000);
  await signInAsOps(page);
  await openDemoRollouts(page);
  const released = await releasedRevision(page);
  await startUpdate(page);
  await approve(page, 'Beta');
  await expectUpdated(page, 3, 1);

  await abortUpdate(page);
  await expect(noUpdate(page)).toHaveText(
    `No update is under way: every pod runs ${released}`,
  );

  // Leave the demo as seeded: the update up to Beta, Omega awaiting ops.
  await startUpdate(page);
  await approve(page, 'Beta');
  await awaitApprovable(page, 'Omega');
});
