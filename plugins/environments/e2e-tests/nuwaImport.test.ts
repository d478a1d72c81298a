import { resolve } from 'node:path';
import { test, expect, Page } from '@playwright/test';
import {
  CoreV1Api,
  KubeConfig,
  PatchStrategy,
  setHeaderOptions,
} from '@kubernetes/client-node';
import { signInAsGuest, signInAsOps } from '@cairn/e2e-test-utils';

/*
 * Importing the original system's node labels from the Nodes page. The demo
 * cluster's nodes carry none, so the test first makes one node look like a
 * node the original system labelled (yametech nuwa: `kubectl label nodes …
 * nuwa.kubernetes.io/zone=… rack=… host=…`) and that lacks Cairn's rack
 * label, through the cluster's API as an admin would. The guest (no
 * `nodes.label`) sees that it has labels to import but is offered no import;
 * ops (alice) select it, preview what the import writes, import, and see it
 * in its rack, the label written in the cluster. The run leaves the node as
 * it found it.
 */

const NODE = 'node-b2-3';
const ZONE = 'local-1b';
const RACK = 'local-1b-r2';
const RACK_LABEL = 'topology.cairn.dev/rack';
const NUWA_LABELS = {
  'nuwa.kubernetes.io/zone': ZONE,
  'nuwa.kubernetes.io/rack': RACK,
  'nuwa.kubernetes.io/host': NODE,
};

/** The dev cluster's API, as `scripts/start` writes its kubeconfig. */
function devCluster(): CoreV1Api {
  const config = new KubeConfig();
  config.loadFromFile(resolve(__dirname, '../../../.dev-cluster/kubeconfig'));
  return config.makeApiClient(CoreV1Api);
}

async function patchNodeLabels(
  core: CoreV1Api,
  labels: Record<string, string | null>,
) {
  await core.patchNode(
    { name: NODE, body: { metadata: { labels } } },
    setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
  );
}

/** The Nodes tab of the Environments page, from the sidebar. */
async function openNodes(page: Page) {
  await page.getByRole('link', { name: 'Environments' }).click();
  await page.getByRole('tab', { name: 'Nodes' }).click();
}

test("ops import a node's nuwa labels after a preview; the guest is not offered it", async ({
  browser,
}) => {
  const core = devCluster();
  // The demo topology, which the run restores.
  expect((await core.readNode({ name: NODE })).metadata?.labels).toMatchObject({
    'topology.kubernetes.io/zone': ZONE,
    [RACK_LABEL]: RACK,
  });
  // Labelled by the original system, without Cairn's rack label.
  await patchNodeLabels(core, { ...NUWA_LABELS, [RACK_LABEL]: null });
  const guest = await browser.newPage();
  const ops = await browser.newPage();
  try {
    // The guest may read the nodes but not label them: no import offered.
    await signInAsGuest(guest);
    await openNodes(guest);
    const guestNotice = guest.getByRole('alert').filter({
      hasText: "the original system's topology labels",
    });
    await expect(guestNotice).toContainText('1 node has');
    await expect(
      guest
        .getByLabel(`zone ${ZONE}`, { exact: true })
        .getByLabel('no rack', { exact: true })
        .locator(`[data-node="${NODE}"]`),
    ).toHaveAttribute('aria-label', /nuwa labels to import$/);
    await expect(guest.getByRole('button', { name: /^Import/ })).toHaveCount(0);
    await expect(
      guest.getByRole('button', { name: new RegExp(`^${NODE}:`) }),
    ).toHaveCount(0);

    // Ops select the node and preview its import.
    await signInAsOps(ops);
    await openNodes(ops);
    await expect(
      ops.getByRole('button', { name: 'Import all (1)' }),
    ).toBeVisible();
    await ops
      .getByRole('button', {
        name: new RegExp(`^${NODE}: .*nuwa labels to import$`),
      })
      .click();
    await ops.getByRole('button', { name: 'Import nuwa labels (1)' }).click();
    const dialog = ops.getByRole('dialog');
    await expect(dialog).toContainText(`Import nuwa labels of ${NODE}`);
    // Only the missing rack label: the zone and hostname labels stay as they are.
    await expect(
      dialog
        .getByRole('list', { name: 'labels to write' })
        .getByRole('listitem'),
    ).toHaveText([`${NODE}: ${RACK_LABEL}=${RACK}`]);
    await dialog.getByRole('button', { name: 'Import labels' }).click();
    await expect(dialog).toBeHidden();

    // The drawing shows the node in its rack, nothing left to import.
    const inRack = ops
      .getByLabel(`rack ${RACK}`, { exact: true })
      .locator(`[data-node="${NODE}"]`);
    await expect(inRack).toBeVisible();
    await expect(inRack).not.toHaveAttribute('aria-label', /nuwa/);
    await expect(ops.getByRole('button', { name: /^Import all/ })).toHaveCount(
      0,
    );

    // The cluster has Cairn's rack label; the nuwa labels stay.
    const labels = (await core.readNode({ name: NODE })).metadata?.labels;
    expect(labels).toMatchObject({ ...NUWA_LABELS, [RACK_LABEL]: RACK });
  } finally {
    await patchNodeLabels(core, {
      'nuwa.kubernetes.io/zone': null,
      'nuwa.kubernetes.io/rack': null,
      'nuwa.kubernetes.io/host': null,
      [RACK_LABEL]: RACK,
    });
    await guest.close();
    await ops.close();
  }
});
