import { CustomObjectsApi } from '@kubernetes/client-node';
import { TEKTON_API } from '@cairn/plugin-pipelines-common';
import {
  PortalTestCluster,
  PortalTestClusterOptions,
  startPortalTestCluster,
} from '@cairn/plugin-kubernetes-node/testUtils';

/*
 * Test support: a dev cluster (with Tekton, as it comes by default) and the
 * portal's service account with the access
 * examples/kubernetes/portal-access.yaml grants, its roles that write
 * Pipelines (running pipelines, installing store templates) bound (as that
 * file describes) only in the namespace `ci`, so tests see the cluster's own
 * 403 elsewhere.
 */

export const WRITABLE_NAMESPACE = 'ci';
export const READ_ONLY_NAMESPACE = 'other';

/** Tekton's `plural` objects, as the custom objects API names them. */
export const tektonObjects = (
  plural: 'pipelines' | 'pipelineruns' | 'tasks' | 'taskruns',
) => ({ ...TEKTON_API, plural });

/** The ClusterRoles of the file that let the portal write Pipelines. */
const PIPELINE_WRITING_ROLES = [
  'cairn-portal-pipelines-run',
  'cairn-portal-templates-install',
];

export interface TektonTestCluster extends PortalTestCluster {
  custom: CustomObjectsApi;
}

export async function startTektonTestCluster(
  devCluster: PortalTestClusterOptions['devCluster'] = {},
): Promise<TektonTestCluster> {
  const tc = await startPortalTestCluster({
    devCluster,
    namespaces: [WRITABLE_NAMESPACE, READ_ONLY_NAMESPACE],
    bindIn: Object.fromEntries(
      PIPELINE_WRITING_ROLES.map(role => [role, [WRITABLE_NAMESPACE]]),
    ),
  });
  return Object.assign(tc, {
    custom: tc.admin.makeApiClient(CustomObjectsApi),
  });
}
