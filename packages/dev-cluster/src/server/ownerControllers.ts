import type { ObjectStore } from '../store/objectStore';
import type { KubeObject, StoreEvent } from '../store/types';
import { eventName } from '../machinery/eventName';
import type { Labels } from '../machinery/labels';
import type { ControllerQueue } from './controllerQueue';
import { jsonEqual, timestamp } from './objects';
import type { ResourceRegistry, ResourceType } from './registry';
import type { RequestContext, ResourceService } from './resources';

/*
 * What kube-controller-manager's owner controllers (ReplicaSets and
 * Deployments, Jobs, CronJobs, StatefulSets, DaemonSets) do alike: follow
 * the store, find what they own by its controller reference, set that
 * reference on what they create, record events as their component, and
 * write status only when it changed. Each controller's decisions stay in
 * its own file.
 */

/** Who a controller acts as: its service account, its event source component, and the kind its events are about (else each object's own). */
export interface ControllerIdentity {
  context: RequestContext;
  component: string;
  owner?: { kind: string; apiVersion: string };
}

/** How a kube-controller-manager controller writes: as its kube-system service account, allowed everything. */
export function controllerContext(serviceAccount: string): RequestContext {
  return {
    user: {
      username: `system:serviceaccount:kube-system:${serviceAccount}`,
      groups: ['system:masters'],
    },
    dryRun: false,
  };
}

/** The controller owner reference of an object, if it has one. */
export function controllerRef(object: KubeObject | undefined) {
  return object?.metadata.ownerReferences?.find(r => r.controller);
}

/** The reference a controller sets on what it creates: the garbage collector follows it, and it holds back the owner's foreground deletion. */
export function controllerReference(
  owner: KubeObject,
  kind = owner.kind!,
  apiVersion = owner.apiVersion!,
) {
  return {
    apiVersion,
    kind,
    name: owner.metadata.name!,
    uid: owner.metadata.uid!,
    controller: true,
    blockOwnerDeletion: true,
  };
}

export abstract class OwnerController {
  protected abstract readonly queue: ControllerQueue;
  private readonly stopWatches: Array<() => void> = [];

  constructor(
    protected readonly store: ObjectStore,
    protected readonly registry: ResourceRegistry,
    protected readonly resources: ResourceService,
    protected readonly identity: ControllerIdentity,
  ) {}

  protected type(group: string, plural: string): ResourceType {
    return this.registry.find(group, 'v1', plural)!;
  }

  /** Calls `onEvent` for every object of `resource` there is now, then for each change, until stop(). */
  protected follow(resource: string, onEvent: (e: StoreEvent) => void) {
    const handle = this.store.watch(resource, {}, onEvent);
    handle.initial.forEach(onEvent);
    this.stopWatches.push(handle.stop);
  }

  /** Queues the `kind` (of `apiVersion`, when given) that controls the changed object, before and after the change. */
  protected queueController(e: StoreEvent, kind: string, apiVersion?: string) {
    for (const object of [e.object, e.previous]) {
      const owner = controllerRef(object);
      if (
        owner?.kind === kind &&
        (apiVersion === undefined || owner.apiVersion === apiVersion)
      )
        this.queue.add(`${e.namespace}/${owner.name}`);
    }
  }

  stop(): void {
    for (const stop of this.stopWatches) stop();
    this.queue.stop();
  }

  /** Records an event about `involved` from this controller (or from `component`). */
  protected event(
    involved: KubeObject,
    type: string,
    reason: string,
    message: string,
    component = this.identity.component,
  ) {
    const now = timestamp();
    this.resources.create(
      this.type('', 'events'),
      involved.metadata.namespace!,
      {
        metadata: { name: eventName(involved.metadata.name!) },
        involvedObject: {
          kind: this.identity.owner?.kind ?? involved.kind,
          namespace: involved.metadata.namespace,
          name: involved.metadata.name,
          uid: involved.metadata.uid,
          apiVersion: this.identity.owner?.apiVersion ?? involved.apiVersion,
          resourceVersion: involved.metadata.resourceVersion,
        },
        reason,
        message,
        source: { component },
        firstTimestamp: now,
        lastTimestamp: now,
        count: 1,
        type,
        reportingComponent: component,
      },
      this.identity.context,
    );
  }

  /** Creates a pod for `owner` and records SuccessfulCreate. */
  protected createControlledPod(
    owner: KubeObject,
    pod: { metadata: any; spec: any },
  ) {
    const created = this.resources.create(
      this.type('', 'pods'),
      owner.metadata.namespace!,
      pod,
      this.identity.context,
    );
    this.event(
      owner,
      'Normal',
      'SuccessfulCreate',
      `Created pod: ${created.metadata.name}`,
    );
  }

  /** Deletes that very pod (not a successor of the same name) and records SuccessfulDelete. */
  protected deleteControlledPod(owner: KubeObject, pod: any) {
    this.resources.delete(
      this.type('', 'pods'),
      pod.metadata.namespace,
      pod.metadata.name,
      { preconditions: { uid: pod.metadata.uid } },
      this.identity.context,
    );
    this.event(
      owner,
      'Normal',
      'SuccessfulDelete',
      `Deleted pod: ${pod.metadata.name}`,
    );
  }

  /** The objects of `resource` in the owner's namespace that it controls and whose labels `matches` accepts. */
  protected owned(
    resource: string,
    owner: KubeObject,
    matches: (labels: Labels) => boolean = () => true,
  ): any[] {
    return this.store
      .controlledBy(resource, owner.metadata.uid!)
      .filter(
        o =>
          o.metadata.namespace === owner.metadata.namespace &&
          matches(o.metadata.labels),
      );
  }

  /** Writes `status` to the status subresource of `latest` unless it already has it. */
  protected writeStatus(type: ResourceType, latest: any, status: any) {
    if (jsonEqual(latest.status ?? {}, status)) return;
    this.resources.write(
      type,
      latest.metadata.namespace,
      latest.metadata.name,
      'status',
      latest,
      { ...latest, status },
      this.identity.context,
    );
  }
}
