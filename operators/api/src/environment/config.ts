import { DEFAULT_GROUP_TEMPLATE, DEFAULT_TOPOLOGY_LABELS } from './constants';
import type { PlacementAdmission } from './affinity';
import type { TopologyLabels } from './placement';

/** How the Environment controller maps placement and tenants onto the cluster. @public */
export interface EnvironmentConfig {
  /** The node labels placement matches. */
  topologyLabels: TopologyLabels;
  /** The RBAC group of a catalog group: `{name}` and `{namespace}` are the ref's parts. */
  groupTemplate: string;
  /**
   * How pods are kept on the placement's nodes: the PodNodeSelector
   * plugin's namespace annotation (the default here, for embedders; the
   * manager's `--placement-admission` chooses), or the operator's mutating
   * webhook, which then needs no annotation nor binding labels on nodes.
   */
  placementAdmission?: PlacementAdmission;
}

/**
 * The configuration from the manager's environment: `CAIRN_TOPOLOGY_ZONE_LABEL`,
 * `CAIRN_TOPOLOGY_RACK_LABEL`, `CAIRN_TOPOLOGY_HOST_LABEL` (e.g.
 * `nuwa.kubernetes.io/zone` for clusters labelled by the original system)
 * and `CAIRN_ENVIRONMENT_GROUP_TEMPLATE` (e.g. `oidc:{name}`).
 * @public
 */
export function environmentConfigFromEnv(
  env: Record<string, string | undefined>,
): EnvironmentConfig {
  const groupTemplate =
    env.CAIRN_ENVIRONMENT_GROUP_TEMPLATE || DEFAULT_GROUP_TEMPLATE;
  if (!groupTemplate.includes('{name}')) {
    throw new Error(
      `CAIRN_ENVIRONMENT_GROUP_TEMPLATE must contain {name}: ${JSON.stringify(
        groupTemplate,
      )}`,
    );
  }
  return {
    topologyLabels: {
      zone: env.CAIRN_TOPOLOGY_ZONE_LABEL || DEFAULT_TOPOLOGY_LABELS.zone,
      rack: env.CAIRN_TOPOLOGY_RACK_LABEL || DEFAULT_TOPOLOGY_LABELS.rack,
      host: env.CAIRN_TOPOLOGY_HOST_LABEL || DEFAULT_TOPOLOGY_LABELS.host,
    },
    groupTemplate,
  };
}
