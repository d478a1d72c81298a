import type { ObjectStore } from '../store/objectStore';
import type { KubeObject } from '../store/types';
import { eventName } from '../machinery/eventName';
import { timestamp } from './objects';
import type { ResourceRegistry } from './registry';
import type { RequestContext, ResourceService } from './resources';

/*
 * networking.k8s.io Ingresses and NetworkPolicies are stored and validated
 * but not enforced: no ingress controller routes traffic and nothing filters
 * pods' connections. Each new one gets a Warning event saying so, which
 * `kubectl describe` shows.
 */

const REPORTER: RequestContext = {
  user: {
    username: 'system:kube-controller-manager',
    groups: ['system:masters'],
  },
  dryRun: false,
};

const NOT_ENFORCED: Record<string, { kind: string; message: string }> = {
  'networking.k8s.io/ingresses': {
    kind: 'Ingress',
    message:
      'The dev cluster stores Ingresses but runs no ingress controller: no traffic is routed by this Ingress',
  },
  'networking.k8s.io/networkpolicies': {
    kind: 'NetworkPolicy',
    message:
      'The dev cluster stores NetworkPolicies but does not enforce them: pods can reach each other regardless of this policy',
  },
};

export class NotEnforcedReporter {
  private stopWatches: Array<() => void> = [];

  constructor(
    private readonly store: ObjectStore,
    private readonly registry: ResourceRegistry,
    private readonly resources: ResourceService,
  ) {}

  start(): void {
    for (const [resource, { kind, message }] of Object.entries(NOT_ENFORCED)) {
      // Only objects created from now on: those restored from a file were reported when made.
      const handle = this.store.watch(resource, {}, e => {
        if (e.type === 'ADDED')
          queueMicrotask(() => this.report(e.object, kind, message));
      });
      this.stopWatches.push(handle.stop);
    }
  }

  stop(): void {
    for (const stop of this.stopWatches) stop();
  }

  private report(object: KubeObject, kind: string, message: string) {
    const now = timestamp();
    this.resources.create(
      this.registry.find('', 'v1', 'events')!,
      object.metadata.namespace!,
      {
        metadata: { name: eventName(object.metadata.name!) },
        involvedObject: {
          kind,
          namespace: object.metadata.namespace,
          name: object.metadata.name,
          uid: object.metadata.uid,
          apiVersion: 'networking.k8s.io/v1',
          resourceVersion: object.metadata.resourceVersion,
        },
        reason: 'NotEnforced',
        message,
        source: { component: 'dev-cluster' },
        firstTimestamp: now,
        lastTimestamp: now,
        count: 1,
        type: 'Warning',
        reportingComponent: 'dev-cluster',
      },
      REPORTER,
    );
  }
}
