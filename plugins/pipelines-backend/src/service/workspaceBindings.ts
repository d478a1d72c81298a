import {
  ClusterAccess,
  EntityScope,
  isInScope,
  isNotFound,
} from '@cairn/plugin-kubernetes-node';
import { mapTektonError } from '../clusters/tektonErrors';
import { Config } from '@backstage/config';
import { InputError, NotAllowedError } from '@backstage/errors';
import { WorkspaceBinding } from '@cairn/plugin-pipelines-common';
import { CoreV1Api, setHeaderOptions } from '@kubernetes/client-node';
import { NamedObjectAllowList } from './serviceAccounts';

const KEY = 'pipelines.workspaces';

/** The objects a workspace binding can name, by the binding's field. */
const BOUND_KINDS = {
  secret: { kind: 'Secret', list: 'secrets', resource: 'secrets' },
  configMap: { kind: 'ConfigMap', list: 'configMaps', resource: 'configmaps' },
  persistentVolumeClaim: {
    kind: 'PersistentVolumeClaim',
    list: 'persistentVolumeClaims',
    resource: 'persistentvolumeclaims',
  },
} as const;

// Volume sources whose objects are boundObjects checks, or that create their own.
const CHECKED_SOURCES = new Set([
  'secret',
  'configMap',
  'persistentVolumeClaim',
  'projected',
  'emptyDir',
  'volumeClaimTemplate',
  'subPath',
]);

/** A kind of object a workspace binding names. @public */
export type BoundKind = keyof typeof BOUND_KINDS;

/** An object of the namespace that a run's workspace binding mounts. @public */
export interface BoundObject {
  /** What mounts it, e.g. `workspace "source"`. */
  mountedBy: string;
  kind: BoundKind;
  name: string;
}

/**
 * The Secrets, ConfigMaps and PersistentVolumeClaims that workspace bindings
 * mount, directly or as sources of a projected volume. emptyDir and
 * volumeClaimTemplate bindings create their own; csi bindings are listed in
 * `unchecked`: what a CSI driver mounts cannot be told from the binding.
 * @public
 */
export function boundObjects(
  bindings: readonly WorkspaceBinding[],
  noun = 'workspace',
): {
  objects: BoundObject[];
  unchecked: string[];
} {
  const objects: BoundObject[] = [];
  const unchecked: string[] = [];
  for (const binding of bindings) {
    const mountedBy = `${noun} "${binding.name}"`;
    const add = (kind: BoundKind, name: unknown) => {
      if (typeof name === 'string') objects.push({ mountedBy, kind, name });
    };
    add('secret', binding.secret?.secretName);
    add('configMap', binding.configMap?.name);
    add('persistentVolumeClaim', binding.persistentVolumeClaim?.claimName);
    const sources = (binding.projected as { sources?: unknown[] } | undefined)
      ?.sources;
    for (const source of Array.isArray(sources) ? sources : []) {
      const { secret, configMap } = (source ?? {}) as {
        secret?: { name?: unknown };
        configMap?: { name?: unknown };
      };
      add('secret', secret?.name);
      add('configMap', configMap?.name);
    }
    const source = Object.keys(binding).find(
      key => key !== 'name' && !CHECKED_SOURCES.has(key),
    );
    if (source) unchecked.push(`${mountedBy} mounts a ${source} volume`);
  }
  return { objects, unchecked };
}

/**
 * The volumes of a run's pod templates (`taskRunTemplate` and each
 * `taskRunSpecs` entry), which a rerun copies as it copies the workspaces:
 * they mount Secrets, ConfigMaps and claims just as bindings do.
 */
export function podTemplateVolumes(spec: {
  taskRunTemplate?: { podTemplate?: Record<string, unknown> };
  taskRunSpecs?: Array<Record<string, unknown>>;
}): WorkspaceBinding[] {
  const templates = [
    spec.taskRunTemplate?.podTemplate,
    ...(spec.taskRunSpecs ?? []).map(t => t.podTemplate),
  ];
  return templates.flatMap(template => {
    const volumes = (template as { volumes?: unknown } | undefined)?.volumes;
    return Array.isArray(volumes) ? (volumes as WorkspaceBinding[]) : [];
  });
}

/**
 * The objects any run may bind besides its entity's own
 * (`pipelines.workspaces`): `secrets`, `configMaps` and
 * `persistentVolumeClaims`, each a list of names or `{ name, namespace }`,
 * as `pipelines.serviceAccounts`. Default: none.
 * @public
 */
export class WorkspaceAllowList {
  constructor(
    private readonly lists: Partial<
      Record<BoundKind, NamedObjectAllowList>
    > = {},
  ) {}

  static fromConfig(config: Config): WorkspaceAllowList {
    const section = config.getOptionalConfig(KEY);
    if (!section) return new WorkspaceAllowList();
    const known = Object.values(BOUND_KINDS).map(k => k.list as string);
    const unknown = section.keys().filter(k => !known.includes(k));
    if (unknown.length) {
      throw new Error(
        `${KEY} may list ${known.join(', ')}; not ${unknown.join(', ')}`,
      );
    }
    const lists: Partial<Record<BoundKind, NamedObjectAllowList>> = {};
    for (const [kind, { kind: what, list }] of Object.entries(BOUND_KINDS)) {
      lists[kind as BoundKind] = NamedObjectAllowList.fromConfig(
        config,
        `${KEY}.${list}`,
        what,
      );
    }
    return new WorkspaceAllowList(lists);
  }

  allows(kind: BoundKind, namespace: string, name: string): boolean {
    return this.lists[kind]?.allows(namespace, name) ?? false;
  }
}

// Only the metadata: the labels are all the check needs, and a Secret's
// data must never reach the portal.
const METADATA_ONLY = setHeaderOptions(
  'Accept',
  'application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1',
);

/**
 * Keeps teams apart in a shared namespace: a run may mount only Secrets,
 * ConfigMaps and PersistentVolumeClaims that belong to its entity (they
 * match the entity's label selector, as its runs do) or that
 * `pipelines.workspaces` lists, as it may only use listed service accounts.
 * @public
 */
export class WorkspaceBindingGuard {
  constructor(
    private readonly clusters: ClusterAccess,
    private readonly allowList: WorkspaceAllowList = new WorkspaceAllowList(),
  ) {}

  /**
   * Throws a NotAllowedError naming each bound object that is neither the
   * entity's nor listed, and each volume source whose contents cannot be
   * checked (an InputError when the only problem is objects that do not
   * exist). `context` starts each message; `volumes` are pod template volumes,
   * held to the same rule as the bindings.
   */
  async check(
    scope: EntityScope,
    cluster: string,
    namespace: string,
    bindings: readonly WorkspaceBinding[],
    context = '',
    volumes: readonly WorkspaceBinding[] = [],
  ): Promise<void> {
    const checked = [
      boundObjects(bindings),
      boundObjects(volumes, 'pod template volume'),
    ];
    const objects = checked.flatMap(c => c.objects);
    const refused = checked
      .flatMap(c => c.unchecked)
      .map(
        what =>
          `${what}, whose contents the portal cannot tell belong to ${scope.entityRef}; mount a Secret, ConfigMap or PersistentVolumeClaim of the entity instead`,
      );
    const missing: string[] = [];
    for (const object of objects) {
      const { kind, list } = BOUND_KINDS[object.kind];
      const what = `${object.mountedBy} binds the ${kind} "${object.name}" in namespace "${namespace}"`;
      if (this.allowList.allows(object.kind, namespace, object.name)) continue;
      const labels = await this.labelsOf(cluster, namespace, object);
      if (labels === undefined) {
        missing.push(
          `${what}, which does not exist; create it labelled for ${scope.entityRef} (${scope.selectorText}) or bind another`,
        );
        continue;
      }
      if (isInScope(scope, cluster, { metadata: { namespace, labels } })) {
        continue;
      }
      refused.push(
        `${what}, which does not belong to ${scope.entityRef} (its objects match ${scope.selectorText}) and is not listed in ${KEY}.${list}; bind one of the entity's own, label this one for the entity if it is the entity's, or ask the platform team to list it in ${KEY}.${list} in app-config`,
      );
    }
    if (refused.length) {
      throw new NotAllowedError(
        `${context}${[...refused, ...missing].join('; ')}`,
      );
    }
    if (missing.length) throw new InputError(`${context}${missing.join('; ')}`);
  }

  /** The object's labels; undefined if it does not exist. */
  private async labelsOf(
    cluster: string,
    namespace: string,
    { kind, name }: BoundObject,
  ): Promise<Record<string, string> | undefined> {
    const api = this.clusters.client(cluster, CoreV1Api);
    const request = { namespace, name };
    try {
      let object;
      if (kind === 'secret') {
        object = await api.readNamespacedSecret(request, METADATA_ONLY);
      } else if (kind === 'configMap') {
        object = await api.readNamespacedConfigMap(request, METADATA_ONLY);
      } else {
        object = await api.readNamespacedPersistentVolumeClaim(
          request,
          METADATA_ONLY,
        );
      }
      return object.metadata?.labels ?? {};
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw mapTektonError(error, {
        cluster,
        verb: 'get',
        resource: BOUND_KINDS[kind].resource,
        namespace,
        name,
      });
    }
  }
}
