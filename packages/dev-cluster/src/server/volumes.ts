import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type {
  V1PersistentVolume,
  V1PersistentVolumeClaim,
  V1StorageClass,
} from '@kubernetes/client-node';
import { eventName } from '../machinery/eventName';
import type { ClaimState } from '../scheduler';
import type { ObjectStore } from '../store/objectStore';
import type { KubeObject, StoreEvent } from '../store/types';
import type { AdmissionPlugin } from './admission';
import { ControllerQueue } from './controllerQueue';
import { timestamp } from './objects';
import type { ResourceRegistry, ResourceType } from './registry';
import type { RequestContext, ResourceService } from './resources';

/*
 * Storage that keeps data, as a kind cluster has it: the default
 * StorageClass `standard` (WaitForFirstConsumer), the DefaultStorageClass
 * admission plugin, and a local provisioner with the PV controller's binding:
 * a claim of a class it provisions gets a PersistentVolume backed by a
 * folder of its own under the cluster's state directory — once the
 * scheduler has picked the node of its first pod (the claim's
 * `volume.kubernetes.io/selected-node`), with node affinity to that node. A
 * released volume is deleted with its folder (reclaimPolicy Delete) or kept
 * as Released (Retain).
 */

export const LOCAL_PROVISIONER = 'cairn.dev/local-path';
export const DEFAULT_CLASS_ANNOTATION =
  'storageclass.kubernetes.io/is-default-class';
export const SELECTED_NODE_ANNOTATION = 'volume.kubernetes.io/selected-node';
export const PVC_PROTECTION = 'kubernetes.io/pvc-protection';
export const PV_PROTECTION = 'kubernetes.io/pv-protection';

const PROVISIONER: RequestContext = {
  user: {
    username: 'system:serviceaccount:kube-system:persistent-volume-binder',
    groups: ['system:masters'],
  },
  dryRun: false,
};

/** kind's default StorageClass, with the dev cluster's provisioner. */
export function standardStorageClass(): KubeObject {
  return {
    apiVersion: 'storage.k8s.io/v1',
    kind: 'StorageClass',
    metadata: {
      name: 'standard',
      annotations: { [DEFAULT_CLASS_ANNOTATION]: 'true' },
    },
    provisioner: LOCAL_PROVISIONER,
    reclaimPolicy: 'Delete',
    volumeBindingMode: 'WaitForFirstConsumer',
  } as KubeObject;
}

/** The default StorageClass: the newest of those annotated default, as the admission plugin picks it. */
export function defaultStorageClass(
  classes: KubeObject[],
): KubeObject | undefined {
  return classes
    .filter(c => c.metadata.annotations?.[DEFAULT_CLASS_ANNOTATION] === 'true')
    .sort(
      (a, b) =>
        String(b.metadata.creationTimestamp).localeCompare(
          String(a.metadata.creationTimestamp),
        ) || String(a.metadata.name).localeCompare(String(b.metadata.name)),
    )[0];
}

/** DefaultStorageClass: a claim created without `storageClassName` gets the default class. */
export function defaultStorageClassAdmission(
  store: ObjectStore,
): AdmissionPlugin {
  return {
    name: 'DefaultStorageClass',
    phase: 'mutating',
    admit(request) {
      if (
        request.operation !== 'CREATE' ||
        request.type.group !== '' ||
        request.type.plural !== 'persistentvolumeclaims' ||
        request.subresource !== ''
      )
        return undefined;
      const claim = request.object as any;
      // An explicit "" asks for no class (a pre-provisioned volume).
      if (claim.spec?.storageClassName !== undefined) return undefined;
      const found = defaultStorageClass(
        store.list('storage.k8s.io/storageclasses').items,
      );
      if (!found) return undefined;
      claim.spec = { ...claim.spec, storageClassName: found.metadata.name };
      return claim;
    },
  };
}

/**
 * StorageObjectInUseProtection: claims and volumes are created with their
 * protection finalizers, so a claim in use by a pod (and a Bound volume)
 * outlives its deletion until nothing uses it.
 */
export const storageObjectInUseProtectionAdmission: AdmissionPlugin = {
  name: 'StorageObjectInUseProtection',
  phase: 'mutating',
  admit(request) {
    if (
      request.operation !== 'CREATE' ||
      request.type.group !== '' ||
      request.subresource !== ''
    )
      return undefined;
    const finalizer =
      (request.type.plural === 'persistentvolumeclaims' && PVC_PROTECTION) ||
      (request.type.plural === 'persistentvolumes' && PV_PROTECTION);
    const object = request.object;
    if (!finalizer || !object) return undefined;
    const finalizers = object.metadata.finalizers ?? [];
    if (finalizers.includes(finalizer)) return undefined;
    object.metadata.finalizers = [...finalizers, finalizer];
    return object;
  },
};

function removeFinalizer(
  resources: ResourceService,
  type: ResourceType,
  namespace: string,
  object: KubeObject,
  finalizer: string,
): void {
  const finalizers = object.metadata.finalizers ?? [];
  if (!finalizers.includes(finalizer)) return;
  const metadata: KubeObject['metadata'] = {
    ...object.metadata,
    finalizers: finalizers.filter(f => f !== finalizer),
  };
  if (!metadata.finalizers!.length) delete metadata.finalizers;
  resources.write(
    type,
    namespace,
    object.metadata.name!,
    '',
    object,
    { ...object, metadata },
    PROVISIONER,
  );
}

/** Whether a pod still uses its volumes (it has not ended). */
function podUsesVolumes(pod: KubeObject): boolean {
  const phase = (pod as any).status?.phase;
  return phase !== 'Succeeded' && phase !== 'Failed';
}

/** pvc-protection: a claim being deleted goes once no pod that has not ended uses it. */
export class PvcProtectionController {
  private readonly queue = new ControllerQueue(key => this.reconcile(key));
  private stopWatches: Array<() => void> = [];

  constructor(
    private readonly store: ObjectStore,
    private readonly registry: ResourceRegistry,
    private readonly resources: ResourceService,
  ) {}

  start(): void {
    const follow = (resource: string, onEvent: (e: StoreEvent) => void) => {
      const handle = this.store.watch(resource, {}, onEvent);
      handle.initial.forEach(onEvent);
      this.stopWatches.push(handle.stop);
    };
    follow('/persistentvolumeclaims', e => {
      if (e.type !== 'DELETED' && e.object.metadata.deletionTimestamp)
        this.queue.add(e.key);
    });
    follow('/pods', e => {
      if (e.type !== 'DELETED' && podUsesVolumes(e.object)) return;
      for (const volume of (e.object as any).spec?.volumes ?? []) {
        const claim = volume.persistentVolumeClaim?.claimName;
        if (claim) this.queue.add(`${e.namespace}/${claim}`);
      }
    });
    this.queue.start();
  }

  stop(): void {
    for (const stop of this.stopWatches) stop();
    this.queue.stop();
  }

  private reconcile(key: string): void {
    const claim = this.store.get('/persistentvolumeclaims', key);
    if (!claim?.metadata.deletionTimestamp) return;
    const [namespace, name] = key.split('/');
    const inUse = this.store
      .list('/pods', { namespace })
      .items.some(
        pod =>
          podUsesVolumes(pod) &&
          ((pod as any).spec?.volumes ?? []).some(
            (v: any) => v.persistentVolumeClaim?.claimName === name,
          ),
      );
    if (inUse) return;
    removeFinalizer(
      this.resources,
      this.registry.find('', 'v1', 'persistentvolumeclaims')!,
      namespace,
      claim,
      PVC_PROTECTION,
    );
  }
}

/** A claim, the volume it is bound to and its class, as the scheduler and kubelet look them up. */
export function claimState(
  store: ObjectStore,
  namespace: string,
  claimName: string,
): ClaimState {
  const claim = store.get(
    '/persistentvolumeclaims',
    `${namespace}/${claimName}`,
  ) as V1PersistentVolumeClaim | undefined;
  const volumeName = claim?.spec?.volumeName;
  const className = claim?.spec?.storageClassName;
  return {
    claim,
    volume: volumeName
      ? (store.get('/persistentvolumes', volumeName) as
          | V1PersistentVolume
          | undefined)
      : undefined,
    storageClass: className
      ? (store.get('storage.k8s.io/storageclasses', className) as
          | V1StorageClass
          | undefined)
      : undefined,
  };
}

/** The folder of a bound claim's volume, or undefined while the claim is not bound to a local volume. */
export function claimDirectory(
  store: ObjectStore,
  namespace: string,
  claimName: string,
): string | undefined {
  const { claim, volume } = claimState(store, namespace, claimName);
  if (claim?.status?.phase !== 'Bound' || !volume) return undefined;
  return volume.spec?.hostPath?.path ?? volume.spec?.local?.path;
}

export interface LocalVolumeProvisionerOptions {
  /** Where volumes' folders are made (`<dir>/<volume name>`). */
  volumesDir: string;
}

/** Provisions, binds and reclaims local volumes for claims of its classes. */
export class LocalVolumeProvisioner {
  private readonly queue = new ControllerQueue(key => this.reconcile(key));
  private stopWatches: Array<() => void> = [];
  /** Claims told they wait for a first consumer (the event is sent once). */
  private readonly waitingReported = new Set<string>();

  constructor(
    private readonly store: ObjectStore,
    private readonly registry: ResourceRegistry,
    private readonly resources: ResourceService,
    private readonly options: LocalVolumeProvisionerOptions,
  ) {}

  start(): void {
    if (!this.store.get('storage.k8s.io/storageclasses', 'standard')) {
      this.resources.create(
        this.type('storage.k8s.io', 'storageclasses'),
        '',
        standardStorageClass(),
        PROVISIONER,
      );
    }
    const follow = (resource: string, onEvent: (e: StoreEvent) => void) => {
      const handle = this.store.watch(resource, {}, onEvent);
      handle.initial.forEach(onEvent);
      this.stopWatches.push(handle.stop);
    };
    follow('/persistentvolumeclaims', e => {
      if (e.type === 'DELETED') {
        this.waitingReported.delete(e.object.metadata.uid!);
        const volume = (e.object as V1PersistentVolumeClaim).spec?.volumeName;
        if (volume) this.queue.add(`volume:${volume}`);
      } else {
        this.queue.add(`claim:${e.key}`);
      }
    });
    follow('/persistentvolumes', e => {
      if (e.type !== 'DELETED') this.queue.add(`volume:${e.key}`);
    });
    this.queue.start();
  }

  stop(): void {
    for (const stop of this.stopWatches) stop();
    this.queue.stop();
  }

  private type(group: string, plural: string): ResourceType {
    return this.registry.find(group, 'v1', plural)!;
  }

  private reconcile(key: string): void {
    const [kind, name] = [
      key.slice(0, key.indexOf(':')),
      key.slice(key.indexOf(':') + 1),
    ];
    if (kind === 'claim') this.syncClaim(name);
    else this.syncVolume(name);
  }

  private syncClaim(key: string): void {
    const [namespace, name] = key.split('/');
    const { claim, storageClass } = claimState(this.store, namespace, name);
    if (!claim || claim.metadata?.deletionTimestamp) return;
    if (claim.status?.phase === 'Bound') return;
    if (storageClass?.provisioner !== LOCAL_PROVISIONER) return;
    const uid = claim.metadata!.uid!;
    const selectedNode =
      claim.metadata?.annotations?.[SELECTED_NODE_ANNOTATION];
    if (storageClass.volumeBindingMode === 'WaitForFirstConsumer') {
      if (!selectedNode) {
        if (!this.waitingReported.has(uid)) {
          this.waitingReported.add(uid);
          this.event(
            claim as KubeObject,
            'Normal',
            'WaitForFirstConsumer',
            'waiting for first consumer to be created before binding',
          );
        }
        return;
      }
    }
    const volumeName = `pvc-${uid}`;
    let volume = this.store.get('/persistentvolumes', volumeName) as
      | V1PersistentVolume
      | undefined;
    if (!volume) {
      const path = join(this.options.volumesDir, volumeName);
      mkdirSync(path, { recursive: true, mode: 0o777 });
      volume = this.resources.create(
        this.type('', 'persistentvolumes'),
        '',
        {
          apiVersion: 'v1',
          kind: 'PersistentVolume',
          metadata: {
            name: volumeName,
            annotations: {
              'pv.kubernetes.io/provisioned-by': LOCAL_PROVISIONER,
            },
          },
          spec: {
            capacity: { storage: claim.spec?.resources?.requests?.storage },
            accessModes: claim.spec?.accessModes,
            persistentVolumeReclaimPolicy:
              storageClass.reclaimPolicy ?? 'Delete',
            storageClassName: storageClass.metadata!.name,
            volumeMode: claim.spec?.volumeMode ?? 'Filesystem',
            hostPath: { path, type: 'DirectoryOrCreate' },
            claimRef: {
              apiVersion: 'v1',
              kind: 'PersistentVolumeClaim',
              namespace,
              name,
              uid,
              resourceVersion: claim.metadata!.resourceVersion,
            },
            ...(selectedNode
              ? {
                  nodeAffinity: {
                    required: {
                      nodeSelectorTerms: [
                        {
                          matchExpressions: [
                            {
                              key: 'kubernetes.io/hostname',
                              operator: 'In',
                              values: [selectedNode],
                            },
                          ],
                        },
                      ],
                    },
                  },
                }
              : {}),
          },
        } as KubeObject,
        PROVISIONER,
      ) as V1PersistentVolume;
      this.event(
        claim as KubeObject,
        'Normal',
        'ProvisioningSucceeded',
        `Successfully provisioned volume ${volumeName}`,
      );
    }
    this.bind(claim, volume);
  }

  /** The PV controller's binding: the volume Bound to the claim, the claim to the volume. */
  private bind(claim: V1PersistentVolumeClaim, volume: V1PersistentVolume) {
    const volumes = this.type('', 'persistentvolumes');
    if (volume.status?.phase !== 'Bound') {
      this.resources.write(
        volumes,
        '',
        volume.metadata!.name!,
        'status',
        volume as KubeObject,
        { ...(volume as KubeObject), status: { phase: 'Bound' } },
        PROVISIONER,
      );
    }
    const claims = this.type('', 'persistentvolumeclaims');
    const { namespace, name } = claim.metadata as {
      namespace: string;
      name: string;
    };
    const named = this.resources.write(
      claims,
      namespace,
      name,
      '',
      claim as KubeObject,
      {
        ...claim,
        metadata: {
          ...claim.metadata,
          annotations: {
            ...claim.metadata?.annotations,
            'pv.kubernetes.io/bind-completed': 'yes',
            'pv.kubernetes.io/bound-by-controller': 'yes',
            'volume.kubernetes.io/storage-provisioner': LOCAL_PROVISIONER,
          },
        },
        spec: { ...claim.spec, volumeName: volume.metadata!.name },
      } as KubeObject,
      PROVISIONER,
    );
    this.resources.write(
      claims,
      namespace,
      name,
      'status',
      named,
      {
        ...named,
        status: {
          phase: 'Bound',
          accessModes: volume.spec?.accessModes,
          capacity: volume.spec?.capacity,
        },
      } as KubeObject,
      PROVISIONER,
    );
  }

  /**
   * A volume whose claim is gone is Released, then deleted with its folder
   * (reclaimPolicy Delete) or kept (Retain); pv-protection lets a volume
   * being deleted go once it is not Bound.
   */
  private syncVolume(name: string): void {
    const volume = this.store.get('/persistentvolumes', name);
    if (!volume) return;
    const volumes = this.type('', 'persistentvolumes');
    const spec = (volume as V1PersistentVolume).spec;
    const phase = (volume as V1PersistentVolume).status?.phase;
    if (volume.metadata.deletionTimestamp) {
      if (phase !== 'Bound')
        removeFinalizer(this.resources, volumes, '', volume, PV_PROTECTION);
      return;
    }
    const ref = spec?.claimRef;
    if (
      !ref ||
      volume.metadata.annotations?.['pv.kubernetes.io/provisioned-by'] !==
        LOCAL_PROVISIONER
    )
      return;
    const claim = this.store.get(
      '/persistentvolumeclaims',
      `${ref.namespace}/${ref.name}`,
    );
    if (claim && claim.metadata.uid === ref.uid) return;
    if (phase !== 'Released') {
      this.resources.write(
        volumes,
        '',
        name,
        'status',
        volume,
        { ...volume, status: { phase: 'Released' } },
        PROVISIONER,
      );
      return;
    }
    if (spec?.persistentVolumeReclaimPolicy !== 'Delete') return;
    const path = spec.hostPath?.path;
    if (path) rmSync(path, { recursive: true, force: true });
    this.resources.delete(volumes, '', name, {}, PROVISIONER);
  }

  private event(
    involved: KubeObject,
    type: string,
    reason: string,
    message: string,
  ) {
    const now = timestamp();
    this.resources.create(
      this.type('', 'events'),
      involved.metadata.namespace!,
      {
        metadata: { name: eventName(involved.metadata.name!) },
        involvedObject: {
          kind: 'PersistentVolumeClaim',
          namespace: involved.metadata.namespace,
          name: involved.metadata.name,
          uid: involved.metadata.uid,
          apiVersion: 'v1',
          resourceVersion: involved.metadata.resourceVersion,
        },
        reason,
        message,
        source: { component: 'persistentvolume-controller' },
        firstTimestamp: now,
        lastTimestamp: now,
        count: 1,
        type,
        reportingComponent: 'persistentvolume-controller',
      } as KubeObject,
      PROVISIONER,
    );
  }
}
