import type { ObjectStore } from '../store/objectStore';
import type {
  KubeObject,
  ObjectMeta,
  OwnerReference,
  StoreEvent,
} from '../store/types';
import {
  isStorageVersion,
  ResourceRegistry,
  ResourceType,
  storageKey,
} from './registry';
import type { RequestContext, ResourceService } from './resources';
import { ControllerQueue } from './controllerQueue';

/*
 * The garbage collector of kube-controller-manager, over ownerReferences:
 * dependents whose owners are all gone are deleted (background deletion);
 * an owner being deleted in the foreground (finalizer foregroundDeletion)
 * goes once its dependents are gone; an owner deleted with the orphan policy
 * (finalizer orphan) first has its dependents' references to it removed.
 */

const FOREGROUND = 'foregroundDeletion';
const ORPHAN = 'orphan';

const CONTROLLER: RequestContext = {
  user: {
    username: 'system:serviceaccount:kube-system:generic-garbage-collector',
    groups: ['system:masters'],
  },
  dryRun: false,
};

interface Node {
  resource: string;
  namespace: string;
  name: string;
  owners: OwnerReference[];
}

export class GarbageCollector {
  /** Every object that is an owner or a dependent, by uid. */
  private readonly nodes = new Map<string, Node>();
  /** Owner uid → dependent uids. */
  private readonly dependents = new Map<string, Set<string>>();
  /** uids to look at. */
  private readonly queue = new ControllerQueue(uid => this.process(uid));

  constructor(
    private readonly store: ObjectStore,
    private readonly registry: ResourceRegistry,
    private readonly resources: ResourceService,
  ) {}

  start(): void {
    for (const resource of this.store.resources()) {
      for (const object of this.store.list(resource).items)
        this.observe(resource, object);
    }
    for (const uid of this.nodes.keys()) this.queue.add(uid);
    this.store.onChange((resource, event) => this.onEvent(resource, event));
    this.queue.start();
  }

  stop(): void {
    this.queue.stop();
  }

  private observe(resource: string, object: KubeObject) {
    const meta = object.metadata;
    const uid = meta.uid!;
    const previous = this.nodes.get(uid);
    for (const owner of previous?.owners ?? [])
      this.dependents.get(owner.uid)?.delete(uid);
    this.nodes.set(uid, {
      resource,
      namespace: meta.namespace ?? '',
      name: meta.name!,
      owners: meta.ownerReferences ?? [],
    });
    for (const owner of meta.ownerReferences ?? []) {
      let set = this.dependents.get(owner.uid);
      if (!set) {
        set = new Set();
        this.dependents.set(owner.uid, set);
      }
      set.add(uid);
    }
  }

  private onEvent(resource: string, event: StoreEvent) {
    const uid = event.object.metadata.uid!;
    if (event.type === 'DELETED') {
      const node = this.nodes.get(uid);
      for (const owner of node?.owners ?? [])
        this.dependents.get(owner.uid)?.delete(uid);
      this.nodes.delete(uid);
      for (const owner of node?.owners ?? []) this.queue.add(owner.uid);
      // Its dependents may now be orphans to collect.
      for (const dependent of this.dependents.get(uid) ?? [])
        this.queue.add(dependent);
    } else {
      const meta = event.object.metadata;
      const relevant =
        meta.ownerReferences?.length ||
        this.dependents.has(uid) ||
        this.nodes.has(uid) ||
        meta.finalizers?.some(f => f === FOREGROUND || f === ORPHAN);
      if (!relevant) return;
      this.observe(resource, event.object);
      this.queue.add(uid);
    }
  }

  private typeOf(resource: string): ResourceType | undefined {
    return this.registry
      .all()
      .find(t => storageKey(t) === resource && isStorageVersion(t));
  }

  private current(
    uid: string,
  ): { node: Node; object: KubeObject; type: ResourceType } | undefined {
    const node = this.nodes.get(uid);
    if (!node) return undefined;
    const object = this.store.get(
      node.resource,
      node.namespace ? `${node.namespace}/${node.name}` : node.name,
    );
    const type = this.typeOf(node.resource);
    if (!object || object.metadata.uid !== uid || !type) return undefined;
    return { node, object, type };
  }

  private process(uid: string) {
    const entry = this.current(uid);
    if (!entry) return;
    const { node, object, type } = entry;
    const finalizers = object.metadata.finalizers ?? [];
    if (object.metadata.deletionTimestamp && finalizers.includes(ORPHAN)) {
      this.orphanDependents(uid);
      this.removeFinalizer(type, node, object, ORPHAN);
      return;
    }
    if (object.metadata.deletionTimestamp && finalizers.includes(FOREGROUND)) {
      const remaining = [...(this.dependents.get(uid) ?? [])].filter(d =>
        this.current(d),
      );
      for (const dependent of remaining)
        this.deleteObject(dependent, 'Foreground');
      if (!remaining.length)
        this.removeFinalizer(type, node, object, FOREGROUND);
      return;
    }
    if (node.owners.length) this.collectIfOrphaned(uid, node, type, object);
  }

  /** Deletes a dependent whose owners are all gone; drops references to the owners that are gone. */
  private collectIfOrphaned(
    uid: string,
    node: Node,
    type: ResourceType,
    object: KubeObject,
  ) {
    const alive = node.owners.filter(o => this.ownerExists(o, node.namespace));
    if (alive.length === node.owners.length) {
      // An owner in foreground deletion takes its dependents with it.
      const deletingOwner = alive.some(o => {
        const owner = this.current(o.uid);
        return (
          owner?.object.metadata.deletionTimestamp &&
          owner.object.metadata.finalizers?.includes(FOREGROUND)
        );
      });
      if (deletingOwner) this.deleteObject(uid, 'Foreground');
      return;
    }
    if (alive.length === 0) {
      this.deleteObject(uid, 'Background');
      return;
    }
    const next = {
      ...object,
      metadata: { ...object.metadata, ownerReferences: alive },
    };
    this.resources.write(
      type,
      node.namespace,
      node.name,
      '',
      object,
      next,
      CONTROLLER,
    );
  }

  private ownerExists(owner: OwnerReference, namespace: string): boolean {
    const known = this.current(owner.uid);
    if (known) return true;
    // An owner the collector has not indexed (no dependents seen yet): look it up by kind.
    const type = this.registry.findByKind(owner.apiVersion, owner.kind);
    if (!type) return false;
    const found = this.store.get(
      storageKey(type),
      type.namespaced ? `${namespace}/${owner.name}` : owner.name,
    );
    return found?.metadata.uid === owner.uid;
  }

  private orphanDependents(ownerUid: string) {
    for (const dependentUid of [...(this.dependents.get(ownerUid) ?? [])]) {
      const dependent = this.current(dependentUid);
      if (!dependent) continue;
      const refs = (dependent.object.metadata.ownerReferences ?? []).filter(
        r => r.uid !== ownerUid,
      );
      const meta: ObjectMeta = {
        ...dependent.object.metadata,
        ownerReferences: refs,
      };
      if (!refs.length) delete meta.ownerReferences;
      this.resources.write(
        dependent.type,
        dependent.node.namespace,
        dependent.node.name,
        '',
        dependent.object,
        { ...dependent.object, metadata: meta },
        CONTROLLER,
      );
    }
  }

  private removeFinalizer(
    type: ResourceType,
    node: Node,
    object: KubeObject,
    finalizer: string,
  ) {
    const finalizers = (object.metadata.finalizers ?? []).filter(
      f => f !== finalizer,
    );
    const meta: ObjectMeta = { ...object.metadata, finalizers };
    if (!finalizers.length) delete meta.finalizers;
    this.resources.write(
      type,
      node.namespace,
      node.name,
      '',
      object,
      { ...object, metadata: meta },
      CONTROLLER,
    );
  }

  private deleteObject(
    uid: string,
    propagationPolicy: 'Background' | 'Foreground',
  ) {
    const entry = this.current(uid);
    if (!entry || entry.object.metadata.deletionTimestamp) return;
    this.resources.delete(
      entry.type,
      entry.node.namespace,
      entry.node.name,
      { propagationPolicy, preconditions: { uid } },
      CONTROLLER,
    );
  }
}
