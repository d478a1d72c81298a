/*
 * The dev cluster as the Stone benchmark's child process, with its
 * scheduler and kubelets (the pods run, idle). Besides serving, it counts
 * for the benchmark what the API server did: the requests it admitted, by
 * user, and the object writes its storage made, by resource (every write
 * bumps the one resourceVersion counter; watch events name the resource).
 * Prints one JSON line `{"kubeconfig":…}` once it serves; stops with its
 * parent.
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

/** The storage buckets whose writes are counted one by one. */
const WATCHED = [
  '/pods',
  '/events',
  'apps/deployments',
  'apps/replicasets',
  'apps/controllerrevisions',
  'rollouts.cairn.dev/stones',
];

export interface ApiCounts {
  type: 'counts';
  id: number;
  /** The storage's resourceVersion: one per object write. */
  revision: number;
  /** Object writes (ADDED, MODIFIED, DELETED) by storage bucket since the last reset. */
  writes: Record<string, Record<string, number>>;
  /** Admitted requests by user and verb since the last reset. */
  requests: Record<string, Record<string, number>>;
}

runChildMain('the dev cluster', async () => {
  const { values } = parseArgs({
    options: { 'state-dir': { type: 'string' } },
  });
  if (!values['state-dir']) throw new Error('--state-dir is required');
  const cluster = await startDevCluster({
    stateDir: values['state-dir'],
    port: 0,
    tekton: false,
  });
  const since: Pick<ApiCounts, 'writes' | 'requests'> = {
    writes: {},
    requests: {},
  };
  const count = (
    table: Record<string, Record<string, number>>,
    row: string,
    column: string,
  ) => {
    table[row] ??= {};
    table[row][column] = (table[row][column] ?? 0) + 1;
  };
  for (const resource of WATCHED)
    cluster.server.store.watch(resource, {}, event =>
      count(since.writes, resource, event.type),
    );
  cluster.server.onRequest(({ user, info }) =>
    count(since.requests, user.username, info.verb),
  );
  process.on('message', (message: { type?: string; id?: number }) => {
    if (message.type === 'reset') {
      since.writes = {};
      since.requests = {};
    } else if (message.type === 'counts') {
      const reply: ApiCounts = {
        type: 'counts',
        id: message.id!,
        revision: cluster.server.store.resourceVersion,
        ...since,
      };
      process.send?.(reply);
    }
  });
  stopWithParent(() => cluster.stop());
  announceReady({ kubeconfig: cluster.kubeconfig });
});
