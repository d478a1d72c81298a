/*
 * The dev cluster as the Environment benchmark's child process, without
 * kubelets or scheduler (the benchmark measures the controller, not pods;
 * it registers the nodes itself). Prints one JSON line `{"kubeconfig":…}`
 * once it serves; stops with its parent.
 *
 *   node --require <nodeTransform.cjs> bench/cluster.ts --state-dir DIR
 */
import { parseArgs } from 'node:util';
import {
  announceReady,
  runChildMain,
  stopWithParent,
} from '@cairn/bench-support';
import { startDevCluster } from '@cairn/dev-cluster';

runChildMain('the dev cluster', async () => {
  const { values } = parseArgs({
    options: {
      'state-dir': { type: 'string' },
    },
  });
  if (!values['state-dir']) throw new Error('--state-dir is required');
  const cluster = await startDevCluster({
    stateDir: values['state-dir'],
    port: 0,
    runWorkloads: false,
    tekton: false,
  });
  stopWithParent(() => cluster.stop());
  announceReady({ kubeconfig: cluster.kubeconfig });
});
