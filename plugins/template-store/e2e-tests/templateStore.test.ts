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
