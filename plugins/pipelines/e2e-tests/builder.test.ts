import { test, expect, Locator, Page } from '@playwright/test';
import { signInAsGuest } from '@cairn/e2e-test-utils';

/*
 * A developer of team-storefront (the guest) draws a pipeline on the
 * storefront's CI/CD tab: an inline task that prints `test` and the
 * namespace's `notify` Task in parallel, and a third task after both
 * (connected by dragging in the graph); widens the YAML pane; saves it,
 * runs it on the dev cluster's Tekton, and reads `test` in the inline
 * task's log.
 */

const runTimeout = { timeout: 120_000 };

async function addTask(page: Page, placement: string | undefined) {
  if (placement) {
    await page.getByRole('button', { name: 'Add task', exact: true }).click();
    await page.getByRole('menuitem', { name: placement }).click();
  } else {
    await page
      .getByRole('button', { name: 'Add first task', exact: true })
      .click();
  }
  return page.getByRole('dialog');
}

async function writeInlineTask(page: Page, name: string, script: string) {
  const panel = page.getByRole('region', { name: /^Task / });
  await panel.getByLabel('Task name', { exact: true }).fill(name);
  await panel.getByLabel('Task name', { exact: true }).press('Enter');
  const renamed = page.getByRole('region', { name: `Task ${name}` });
  await renamed.getByLabel(/^Image of step/).fill('alpine');
  await renamed.getByLabel(/^Script of step/).fill(script);
}

/** Drags from the right handle of one task to the left handle of another. */
async function connect(page: Page, from: Locator, to: Locator) {
  const source = await from.locator('.react-flow__handle-right').boundingBox();
  const target = await to.locator('.react-flow__handle-left').boundingBox();
  if (!source || !target) throw new Error('task handles are not visible');
  await page.mouse.move(
    source.x + source.width / 2,
    source.y + source.height / 2,
  );
  await page.mouse.down();
  await page.mouse.move(
    target.x + target.width / 2,
    target.y + target.height / 2,
    { steps: 10 },
  );
  await page.mouse.up();
}

test('draw a pipeline of three tasks, save it, run it and read its log', async ({
  page,
}) => {
  test.setTimeout(240_000);
  const name = `storefront-e2e-${Date.now().toString(36)}`;
  await signInAsGuest(page);
  await page.goto('/catalog/default/component/storefront-web/ci-cd');
  await page.getByRole('button', { name: 'New pipeline' }).click();
  await expect(page).toHaveURL(/\/ci-cd\/builder\/new$/);

  // The pipeline: its name, in the entity's namespace.
  await page.getByLabel('Pipeline name', { exact: true }).fill(name);
  await expect(page.getByLabel('Namespace', { exact: true })).toHaveValue(
    'shop',
  );

  // An inline task that prints `test`.
  const first = await addTask(page, undefined);
  await first.getByText('Inline task', { exact: true }).click();
  await writeInlineTask(page, 'say-test', 'echo test');

  // In parallel with it, the namespace's notify Task, found by searching.
  const parallel = await addTask(page, 'In parallel with the selected task');
  await parallel.getByLabel('Search Tasks').fill('notify');
  await parallel.getByText('Tells the team how the pipeline ended.').click();
  const notifyPanel = page.getByRole('region', { name: 'Task notify' });
  await notifyPanel.getByLabel('status', { exact: true }).fill('drawn in e2e');

  // After say-test, a third task; dragging connects notify to it too.
  await page.getByTestId('builder-node-say-test').click();
  const after = await addTask(page, 'After the selected task');
  await after.getByText('Inline task', { exact: true }).click();
  await writeInlineTask(page, 'finish', 'echo finished');
  await connect(
    page,
    page.getByTestId('builder-node-notify'),
    page.getByTestId('builder-node-finish'),
  );
  const yaml = page.getByRole('textbox', { name: 'Pipeline YAML' });
  await expect(yaml).toContainText('runAfter:');
  // Scripts written in the forms are block literals.
  await expect(yaml).toContainText('script: |-');

  // The YAML pane widens when its divider is dragged left, and keeps that width.
  const yamlPane = page.locator('#builder-yaml-pane');
  const divider = page.getByRole('separator', { name: 'Resize the YAML pane' });
  const before = (await yamlPane.boundingBox())!.width;
  const grip = (await divider.boundingBox())!;
  await page.mouse.move(grip.x + grip.width / 2, grip.y + grip.height / 2);
  await page.mouse.down();
  await page.mouse.move(
    grip.x + grip.width / 2 - 150,
    grip.y + grip.height / 2,
    {
      steps: 5,
    },
  );
  await page.mouse.up();
  await expect
    .poll(async () => (await yamlPane.boundingBox())!.width)
    .toBeGreaterThan(before + 140);
  const widened = (await yamlPane.boundingBox())!.width;
  // The arrow keys move it too.
  await divider.press('ArrowRight');
  await expect
    .poll(async () => (await yamlPane.boundingBox())!.width)
    .toBeLessThan(widened - 20);
  await page.getByTestId('builder-node-finish').click();
  await expect(
    page
      .getByRole('region', { name: 'Task finish' })
      .getByRole('button', { name: /Runs after/ }),
  ).toContainText(/say-test.*notify|notify.*say-test/);

  // Save and run: the pipeline is created, its start form opens.
  await expect(page.getByText('Unsaved changes')).toBeVisible();
  await page.getByRole('button', { name: 'Save and run' }).click();
  await expect(page).toHaveURL(new RegExp(`/ci-cd/builder/dev/shop/${name}$`));
  await page.getByRole('button', { name: 'Start', exact: true }).click();
  await expect(page).toHaveURL(new RegExp(`/ci-cd/runs/dev/shop/${name}-`));

  // The run succeeds, and say-test's log says `test`.
  for (const task of ['say-test', 'notify', 'finish']) {
    await expect(page.getByTestId(`dag-node-${task}`)).toHaveAttribute(
      'data-status',
      'succeeded',
      runTimeout,
    );
  }
  await expect(
    page.getByRole('row', { name: /^status/i }).getByText('Succeeded'),
  ).toBeVisible(runTimeout);
  await page.getByTestId('dag-node-say-test').click();
  await expect(page.getByText('test', { exact: true })).toBeVisible();
});
