import { expect, test } from '@playwright/test';
import { signInAsGuest } from '@cairn/e2e-test-utils';

/*
 * The guest (team-storefront) builds a pipeline for the storefront with the
 * store's git clone embedded, saves it to the store from the builder as a
 * new Pipeline template of their team, follows the dialog's link to its
 * page (where the app mounts the store, through the builder's external
 * route), and finds it by searching the store.
 */
test('a developer saves a pipeline from the builder to the store and finds it there', async ({
  page,
}) => {
  test.setTimeout(240_000);
  const name = `saved-e2e-${Date.now().toString(36)}`;
  await signInAsGuest(page);

  await page.goto('/catalog/default/component/storefront-web/ci-cd');
  await page.getByRole('button', { name: 'New pipeline' }).click();
  await page.getByLabel('Pipeline name', { exact: true }).fill(name);
  await page
    .getByRole('button', { name: 'Add first task', exact: true })
    .click();
  const picker = page.getByRole('dialog');
  await picker.getByLabel('Search Tasks').fill('git');
  await picker.getByText('git clone (store)').click();
  await picker.getByRole('button', { name: 'Embed as taskSpec' }).click();
  await expect(page.getByTestId('builder-node-git-clone')).toBeVisible();
  const yaml = page.getByRole('textbox', { name: 'Pipeline YAML' });
  await expect(yaml).toContainText('taskSpec:');

  await page.getByRole('button', { name: 'Save to store' }).click();
  const dialog = page.getByRole('dialog', {
    name: 'Save Pipeline to the template store',
  });
  await expect(dialog.getByLabel('Template name')).toHaveValue(name);
  await dialog
    .getByLabel('Description')
    .fill('Clones the storefront, saved from the builder');
  // A new template of the user's team, at its first version.
  await expect(dialog.getByLabel('Owner group')).toHaveValue(
    'group:default/team-storefront',
  );
  await expect(dialog.getByLabel('Version')).toHaveValue('0.1.0');
  await dialog.getByRole('button', { name: 'Publish' }).click();
  await expect(dialog.getByRole('alert')).toContainText(
    `Published Pipeline ${name} 0.1.0`,
  );
  await dialog
    .getByRole('link', { name: 'open its page in the template store' })
    .click();

  await expect(page).toHaveURL(new RegExp(`/templates/Pipeline/${name}$`));
  await expect(page.getByRole('heading', { name, exact: true })).toBeVisible();
  await expect(page.getByText('Version 0.1.0 · tekton.dev/v1')).toBeVisible();
  await expect(
    page.getByText('Clones the storefront, saved from the builder').first(),
  ).toBeVisible();

  // Found by searching the store.
  await page.getByRole('link', { name: 'Templates' }).click();
  await page.getByLabel('Search templates').fill(name);
  await expect(page.getByText('1 template', { exact: true })).toBeVisible();
  await page.getByRole('link', { name, exact: true }).click();
  await expect(page).toHaveURL(new RegExp(`/templates/Pipeline/${name}$`));
});
