import { test, expect, Page } from '@playwright/test';
import { signInAsGuest, signInAsOps } from '@cairn/e2e-test-utils';

/*
 * The debug terminal from the portal: the guest (team-storefront, owner of
 * the demo storefront) opens a shell in a container of one of the
 * storefront's pods and runs a command; then a netshoot toolkit session on
 * that pod, runs a command and sees its output, exits it and sees why it
 * ended; then ops (alice, signed in with "Ops (demo)") replay the recording
 * and see what was typed and shown.
 */

const ENTITY_DEBUG_TAB = '/catalog/default/component/storefront-web/debug';

/** The terminal's screen as text (xterm's DOM renderer draws rows as text). */
const screenText = (page: Page, region: string) =>
  page.getByRole('region', { name: region }).locator('.xterm-rows');

test('a developer opens a shell and a netshoot session on the demo service, runs commands, exits, and ops replay it', async ({
  page,
  browser,
}) => {
  await signInAsGuest(page);
  await page.goto('/catalog/default/component/storefront-web');
  await page.getByRole('tab', { name: 'Debug' }).click();
  await expect(page).toHaveURL(new RegExp(`${ENTITY_DEBUG_TAB}$`));

  // The storefront's pods on the dev cluster, each container with Debug.
  const debug = page
    .getByRole('button', { name: /^Debug storefront-web-\S+ web$/ })
    .first();
  await expect(debug).toBeVisible();
  const pod = (await debug.getAttribute('aria-label'))!.split(' ')[1];

  // A plain shell in the container itself.
  await page.getByRole('button', { name: `Shell ${pod} web` }).click();
  const shell = page.getByRole('dialog', { name: `Shell: ${pod} / web` });
  await expect(shell.getByText('Connected')).toBeVisible();
  await shell.getByRole('region', { name: 'Terminal' }).click();
  await page.keyboard.type('echo shell-$((2+3))');
  await page.keyboard.press('Enter');
  await expect(screenText(page, 'Terminal')).toContainText('shell-5');
  await shell.getByRole('button', { name: 'Close the terminal' }).click();
  await expect(shell).toBeHidden();

  await debug.click();

  const dialog = page.getByRole('dialog', { name: `Debug ${pod}` });
  await expect(
    dialog.getByRole('button', { name: 'Toolkit', exact: true }),
  ).toHaveText('netshoot');
  await expect(dialog.getByText(/^Network: tcpdump/)).toBeVisible();
  await dialog.getByLabel('Time limit (minutes)').fill('10');
  await dialog.getByRole('button', { name: 'Start session' }).click();

  // The full-screen terminal, once the controller has started the toolkit.
  const terminal = page.getByRole('dialog', { name: /^Debug session: / });
  await expect(terminal.getByText('Connected')).toBeVisible();
  await expect(terminal.getByLabel('Time left')).toHaveText(
    /^(9|10):\d\d left$/,
  );
  await terminal.getByRole('region', { name: 'Terminal' }).click();
  // The output differs from what is typed, so only the shell can print it.
  await page.keyboard.type('echo cairn-$((6*7))');
  await page.keyboard.press('Enter');
  await expect(screenText(page, 'Terminal')).toContainText('cairn-42');

  await page.keyboard.type('exit');
  await page.keyboard.press('Enter');
  await expect(
    terminal.getByText('The process ended', { exact: true }),
  ).toBeVisible();
  await terminal.getByRole('button', { name: 'Close the terminal' }).click();

  // The session is over: the controller saw its container exit.
  const past = page.getByRole('table', { name: 'Past sessions' });
  await expect
    .poll(
      async () => {
        await page.getByRole('button', { name: 'Refresh sessions' }).click();
        return past.getByRole('row').filter({ hasText: pod }).count();
      },
      { timeout: 60_000 },
    )
    .toBeGreaterThan(0);
  // The guest is no ops: no recordings for them.
  await expect(page.getByText('Recorded terminals')).toHaveCount(0);

  // Ops replay it.
  const ops = await browser.newContext();
  const opsPage = await ops.newPage();
  try {
    await signInAsOps(opsPage);
    await opsPage.goto(ENTITY_DEBUG_TAB);
    const recording = opsPage
      .getByRole('table', { name: 'Recorded terminals' })
      .getByRole('row')
      .filter({ hasText: 'user:default/guest' })
      .filter({ hasText: pod })
      .filter({ hasText: 'toolkit netshoot' })
      .first();
    await recording.getByRole('button', { name: /^Replay recording / }).click();
    const replay = opsPage.getByRole('dialog', { name: /^Replay: / });
    await replay.getByRole('button', { name: 'Skip to end' }).click();
    await expect(screenText(opsPage, 'Replay')).toContainText('cairn-42');
    await expect(replay.getByLabel('What was typed')).toContainText(
      'echo cairn-$((6*7))',
    );
  } finally {
    await ops.close();
  }
});
