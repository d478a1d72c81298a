import {
  apiVersionOf,
  ResourceRegistry,
  ResourceType,
  storageVersionHash,
} from './registry';

/*
 * Discovery documents shaped as kube-apiserver serves them: the legacy
 * (unaggregated) APIVersions / APIGroupList / APIResourceList, and the
 * aggregated apidiscovery.k8s.io/v2 APIGroupDiscoveryList kubectl asks for first.
 */

export const KUBERNETES_VERSION = {
  major: '1',
  minor: '33',
  emulationMajor: '1',
  emulationMinor: '33',
  minCompatibilityMajor: '1',
  minCompatibilityMinor: '32',
  gitVersion: 'v1.33.1',
  gitCommit: '8adc0f041b8e7ad1d30e29cc59c6ae7a15e19828',
  gitTreeState: 'clean',
  buildDate: '2025-05-15T08:19:08Z',
  goVersion: 'go1.24.2',
  compiler: 'gc',
  platform: 'linux/amd64',
};

export function apiVersions(serverAddress: string) {
  return {
    kind: 'APIVersions',
    versions: ['v1'],
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
  };
}

function apiGroup(registry: ResourceRegistry, name: string) {
  const versions = registry.versions(name).map(version => ({
    groupVersion: `${name}/${version}`,
    version,
  }));
  return { name, versions, preferredVersion: versions[0] };
}

export function apiGroupList(registry: ResourceRegistry) {
  return {
    kind: 'APIGroupList',
    apiVersion: 'v1',
    groups: registry.groups().map(name => apiGroup(registry, name)),
  };
}

export function apiGroupDocument(registry: ResourceRegistry, name: string) {
  if (!registry.versions(name).length) return undefined;
  return { kind: 'APIGroup', apiVersion: 'v1', ...apiGroup(registry, name) };
}

export function apiResourceList(
  registry: ResourceRegistry,
  group: string,
  version: string,
) {
  const types = registry.inGroupVersion(group, version);
  if (!types.length) return undefined;
  const resources: Record<string, unknown>[] = [];
  for (const type of [...types].sort((a, b) =>
    a.plural.localeCompare(b.plural),
  )) {
    resources.push({
      name: type.plural,
      singularName: type.singular,
      namespaced: type.namespaced,
      kind: type.kind,
      verbs: type.verbs,
      ...(type.shortNames.length ? { shortNames: type.shortNames } : {}),
      ...(type.categories.length ? { categories: type.categories } : {}),
      ...(type.stored ? { storageVersionHash: storageVersionHash(type) } : {}),
    });
    for (const sub of type.subresources) {
      resources.push({
        name: `${type.plural}/${sub.name}`,
        singularName: '',
        namespaced: type.namespaced,
        ...(sub.group !== undefined
          ? { group: sub.group, version: sub.version }
          : {}),
        kind: sub.kind,
        verbs: sub.verbs,
      });
    }
  }
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: apiVersionOf({ group, version }),
    resources,
  };
}

function discoveryResource(type: ResourceType) {
  return {
    resource: type.plural,
    responseKind: { group: type.group, version: type.version, kind: type.kind },
    scope: type.namespaced ? 'Namespaced' : 'Cluster',
    singularResource: type.singular,
    verbs: type.verbs,
    ...(type.shortNames.length ? { shortNames: type.shortNames } : {}),
    ...(type.categories.length ? { categories: type.categories } : {}),
    ...(type.subresources.length
      ? {
          subresources: type.subresources.map(sub => ({
            subresource: sub.name,
            responseKind: {
              group: sub.group ?? type.group,
              version: sub.version ?? type.version,
              kind: sub.kind,
            },
            verbs: sub.verbs,
          })),
        }
      : {}),
  };
}

function discoveryGroup(registry: ResourceRegistry, group: string) {
  return {
    metadata: { name: group, creationTimestamp: null },
    versions: registry.versions(group).map(version => ({
      version,
      resources: registry
        .inGroupVersion(group, version)
        .sort((a, b) => a.plural.localeCompare(b.plural))
        .map(discoveryResource),
      freshness: 'Current',
    })),
  };
}

export const AGGREGATED_DISCOVERY_CONTENT_TYPE =
  'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';

/** The aggregated discovery document of /api (legacy: true) or /apis. */
export function aggregatedDiscovery(
  registry: ResourceRegistry,
  legacy: boolean,
) {
  const groups = legacy ? [''] : registry.groups();
  return {
    kind: 'APIGroupDiscoveryList',
    apiVersion: 'apidiscovery.k8s.io/v2',
    metadata: {},
    items: groups.map(group => discoveryGroup(registry, group)),
  };
}
