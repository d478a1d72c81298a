import { expect, test } from '@playwright/test';
import { signInAsGuest } from '@cairn/e2e-test-utils';

test('a developer searches the store for "git", opens a task and reads its params', async ({
  page,
}) => {
  await signInAsGuest(page);
  await page.getByRole('link', { name: 'Templates' }).click();
  await expect(
    page.getByRole('heading', { name: 'Template store' }),
  ).toBeVisible();

  // The demo catalog (examples/template-store) is imported at startup.
  await page.getByLabel('Search templates').fill('git');
  await expect(page).toHaveURL(/\/templates\?search=git$/);
  await expect(page.getByText('1 template', { exact: true })).toBeVisible();
  await expect(page.getByRole('link', { name: 'buildah' })).toHaveCount(0);
  await page.getByRole('link', { name: 'git clone' }).click();

  await expect(page).toHaveURL(/\/templates\/Task\/git-clone$/);
  await expect(page.getByRole('heading', { name: 'git clone' })).toBeVisible();
  await expect(page.getByText('Version 0.2 · tekton.dev/v1')).toBeVisible();
  const params = page.getByRole('table', { name: 'Params' });
  await expect(params.getByRole('row')).toHaveText([
    'NameTypeDefaultDescription',
    'urlstring(required)The repository URL to clone from.',
    'revisionstringmainThe branch, tag or commit to check out.',
    'depthstring1How many commits of history to fetch (0 for all).',
  ]);
  await expect(
    page.getByRole('table', { name: 'Results' }).getByRole('row'),
  ).toHaveText([
    'NameTypeDescription',
    'commitstringThe commit SHA that was checked out.',
  ]);
});

/*
 * The guest (team-storefront) installs a store Task for the storefront's
 * namespace from the template page, then adds a store Task to a new
 * pipeline in the builder (installed there, referred to by taskRef), saves
 * it, and sees the pipeline under "Used by" on the template's page. Run
 * again, the install finds the same Task there and leaves it.
 */
test('a developer installs a store task, uses it in a pipeline and sees it used', async ({
  page,
}) => {
  test.setTimeout(240_000);
  const pipeline = `store-e2e-${Date.now().toString(36)}`;
  await signInAsGuest(page);

  // Install from the template's page, for the storefront.
  await page.goto('/templates/Task/golang-test');
  await page.getByRole('button', { name: 'Install', exact: true }).click();
  const install = page.getByRole('dialog');
  await install.getByLabel('For entity').fill('storefront');
  await page
    .getByRole('option', { name: 'component:default/storefront-web' })
    .click();
  await expect(install.getByLabel('Namespace')).toHaveValue('shop');
  await install.getByRole('button', { name: 'Preview' }).click();
  const preview = install.getByLabel('Install preview');
  await expect(preview).toContainText(
    /Task golang-test (0\.1 will be created in|is already in) namespace shop on cluster dev/,
  );
  await install
    .getByRole('button', { name: /^(Install|Use it|Replace)$/ })
    .click();
  await expect(install.getByRole('alert')).toContainText(
    /Task golang-test 0\.1 (created|replaced) in namespace shop on cluster dev|Task golang-test 0\.1 is installed in shop/,
  );
  await install.getByRole('button', { name: 'Close' }).click();

  // In the builder: a new pipeline with the store's git clone, installed for it.
  await page.goto('/catalog/default/component/storefront-web/ci-cd');
  await page.getByRole('button', { name: 'New pipeline' }).click();
  await page.getByLabel('Pipeline name', { exact: true }).fill(pipeline);
  // A workspace for git clone's checkout.
  await page.getByRole('button', { name: 'Add workspace' }).click();
  await page
    .getByLabel('Name of workspace workspace 1', { exact: true })
    .fill('source');
  await page
    .getByRole('button', { name: 'Add first task', exact: true })
    .click();
  const picker = page.getByRole('dialog');
  await picker.getByLabel('Search Tasks').fill('git');
  await picker.getByText('git clone (store)').click();
  // The params, with their docs on hover.
  await expect(
    picker.getByLabel('Store Task git-clone').getByText('url* (string)'),
  ).toBeVisible();
  await picker.getByRole('button', { name: 'Install and refer to it' }).click();
  const installDialog = page.getByRole('dialog', {
    name: 'Install Task git-clone 0.2',
  });
  await expect(installDialog.getByLabel('Install preview')).toContainText(
    'namespace shop on cluster dev',
  );
  await installDialog
    .getByRole('button', { name: /^(Install|Use it|Replace)$/ })
    .click();
  await expect(page.getByTestId('builder-node-git-clone')).toBeVisible();
  const yaml = page.getByRole('textbox', { name: 'Pipeline YAML' });
  await expect(yaml).toContainText('taskRef:');
  await expect(yaml).toContainText('value: main');
  const panel = page.getByRole('region', { name: 'Task git-clone' });
  await panel
    .getByLabel('url', { exact: true })
    .fill('https://example.com/shop.git');
  // The installed Task's workspace, bound to the pipeline's.
  await panel
    .getByRole('button', { name: /^output \* ← pipeline workspace/ })
    .click();
  await page.getByRole('option', { name: 'source' }).click();
  await expect(yaml).toContainText('workspace: source');
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(page).toHaveURL(
    new RegExp(`/ci-cd/builder/dev/shop/${pipeline}$`),
  );

  // The store sees the pipeline use git clone.
  await page.goto('/templates/Task/git-clone');
  await expect(async () => {
    await page.reload();
    await page.getByRole('tab', { name: /^Used by/ }).click();
    await expect(
      page
        .getByRole('table', { name: 'Used by' })
        .getByRole('row')
        .filter({ hasText: pipeline }),
    ).toHaveText([`${pipeline}component:default/storefront-web0.2devshop`], {
      timeout: 2_000,
    });
  }).toPass({ timeout: 60_000 });
});
