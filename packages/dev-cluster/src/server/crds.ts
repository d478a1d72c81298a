import type { ObjectStore } from '../store/objectStore';
import { objectKey } from '../store/objectStore';
import type { KubeObject, StoreEvent } from '../store/types';
import { timestamp } from './objects';
import {
  ResourceRegistry,
  ResourceType,
  STANDARD_VERBS,
  storageKey,
  SubresourceType,
} from './registry';
import type { RequestContext, ResourceService } from './resources';

/*
 * CustomResourceDefinitions (apiextensions.k8s.io/v1): each served version of
 * a CRD becomes a ResourceType as soon as the CRD is stored, its status gets
 * the NamesAccepted and Established conditions, and deleting the CRD deletes
 * its custom resources.
 */

const CONTROLLER: RequestContext = {
  user: {
    username: 'system:apiextensions-controller',
    groups: ['system:masters'],
  },
  dryRun: false,
};

export function customResourceTypes(crd: KubeObject): ResourceType[] {
  const spec = (crd as any).spec ?? {};
  const names = spec.names ?? {};
  const storageVersion = (spec.versions ?? []).find(
    (v: any) => v.storage,
  )?.name;
  return (spec.versions ?? [])
    .filter((v: any) => v.served)
    .map((v: any): ResourceType => {
      const subresources: SubresourceType[] = [];
      if (v.subresources?.scale) {
        subresources.push({
          name: 'scale',
          kind: 'Scale',
          group: 'autoscaling',
          version: 'v1',
          verbs: ['get', 'patch', 'update'],
        });
      }
      if (v.subresources?.status) {
        subresources.push({
          name: 'status',
          kind: names.kind,
          verbs: ['get', 'patch', 'update'],
        });
      }
      const scale = v.subresources?.scale;
      return {
        group: spec.group,
        version: v.name,
        kind: names.kind,
        listKind: names.listKind ?? `${names.kind}List`,
        plural: names.plural,
        singular: names.singular ?? String(names.kind).toLowerCase(),
        namespaced: spec.scope === 'Namespaced',
        verbs: STANDARD_VERBS,
        shortNames: names.shortNames ?? [],
        categories: names.categories ?? [],
        subresources,
        stored: true,
        tracksGeneration: true,
        custom: {
          crdName: crd.metadata.name!,
          printerColumns: v.additionalPrinterColumns ?? [],
          schema: v.schema?.openAPIV3Schema,
          scale: scale
            ? {
                specReplicasPath: scale.specReplicasPath,
                statusReplicasPath: scale.statusReplicasPath,
                labelSelectorPath: scale.labelSelectorPath,
              }
            : undefined,
          selectableFields: (v.selectableFields ?? []).map(
            (f: any) => f.jsonPath,
          ),
          storage: !!v.storage,
          storageVersion,
          webhookConversion: spec.conversion?.strategy === 'Webhook',
        },
      };
    });
}

export class CustomResourceDefinitionController {
  private stopWatch: (() => void) | undefined;
  private readonly pending = new Set<string>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly store: ObjectStore,
    private readonly registry: ResourceRegistry,
    private readonly resources: ResourceService,
  ) {}

  start(): void {
    const handle = this.store.watch(
      'apiextensions.k8s.io/customresourcedefinitions',
      {},
      e => this.onEvent(e),
    );
    for (const event of handle.initial) this.onEvent(event);
    this.stopWatch = handle.stop;
  }

  stop(): void {
    this.stopWatch?.();
    if (this.timer) clearTimeout(this.timer);
  }

  private onEvent(event: StoreEvent) {
    const crd = event.object;
    const name = crd.metadata.name!;
    if (event.type === 'DELETED') {
      const types = customResourceTypes(crd);
      this.registry.setCustomTypes(name, []);
      if (types.length) this.schedulePurge(types[0]);
      return;
    }
    // Serving starts with the write, so clients can use the CRD right away.
    this.registry.setCustomTypes(name, customResourceTypes(crd));
    this.pending.add(name);
    if (!this.timer) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        for (const n of [...this.pending]) this.updateStatus(n);
        this.pending.clear();
      }, 0);
    }
  }

  /** Deletes the custom resources of a deleted CRD (on the next turn: listeners must not write). */
  private schedulePurge(type: ResourceType) {
    setImmediate(() => {
      if (this.registry.find(type.group, type.version, type.plural)) return; // recreated meanwhile
      const key = storageKey(type);
      for (const object of this.store.list(key).items) {
        const ns = object.metadata.namespace ?? '';
        this.store.delete(
          key,
          objectKey(ns || undefined, object.metadata.name!),
          ns,
        );
      }
    });
  }

  private updateStatus(name: string) {
    const crdType = this.registry.find(
      'apiextensions.k8s.io',
      'v1',
      'customresourcedefinitions',
    )!;
    const crd = this.store.get(storageKey(crdType), name);
    if (!crd || crd.metadata.deletionTimestamp) return;
    const spec = (crd as any).spec;
    const status = (crd as any).status ?? {};
    const now = timestamp();
    const condition = (type: string, reason: string, message: string) => {
      const existing = (status.conditions ?? []).find(
        (c: any) => c.type === type && c.status === 'True',
      );
      return {
        type,
        status: 'True',
        lastTransitionTime: existing?.lastTransitionTime ?? now,
        reason,
        message,
      };
    };
    const storageVersion = spec.versions.find((v: any) => v.storage)?.name;
    const storedVersions: string[] = [...(status.storedVersions ?? [])];
    if (storageVersion && !storedVersions.includes(storageVersion))
      storedVersions.push(storageVersion);
    const nextStatus = {
      conditions: [
        condition('NamesAccepted', 'NoConflicts', 'no conflicts found'),
        condition(
          'Established',
          'InitialNamesAccepted',
          'the initial names have been accepted',
        ),
      ],
      acceptedNames: {
        plural: spec.names.plural,
        singular: spec.names.singular ?? String(spec.names.kind).toLowerCase(),
        ...(spec.names.shortNames ? { shortNames: spec.names.shortNames } : {}),
        kind: spec.names.kind,
        listKind: spec.names.listKind ?? `${spec.names.kind}List`,
        ...(spec.names.categories ? { categories: spec.names.categories } : {}),
      },
      storedVersions,
    };
    this.resources.write(
      crdType,
      '',
      name,
      'status',
      crd,
      { ...crd, status: nextStatus },
      CONTROLLER,
    );
  }
}
