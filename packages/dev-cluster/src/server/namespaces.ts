import type { ObjectStore } from '../store/objectStore';
import type { KubeObject, StoreEvent } from '../store/types';
import type { ClusterPki } from '../pki/certificates';
import type { ResourceRegistry } from './registry';
import { isStorageVersion, storageKey } from './registry';
import type { ResourceService, RequestContext } from './resources';
import { kubernetesService } from './services';
import { ControllerQueue, ReconcileResult } from './controllerQueue';

/** Follows a resource's events from its current content on; returns the stop. */
function follow(
  store: ObjectStore,
  resource: string,
  onEvent: (event: StoreEvent) => void,
): () => void {
  const handle = store.watch(resource, {}, onEvent);
  handle.initial.forEach(onEvent);
  return handle.stop;
}

/*
 * The namespace side of the control plane that lives with the API server:
 * the system namespaces and three control loops, each with its own queue as
 * in kube-controller-manager — the service account controller (each active
 * namespace's `default` ServiceAccount), the root CA publisher (its
 * `kube-root-ca.crt` ConfigMap) and the namespace controller, which empties
 * a terminating namespace and then removes it. A namespace being torn down
 * never delays another's ServiceAccount.
 */

export const SYSTEM_NAMESPACES = [
  'default',
  'kube-node-lease',
  'kube-public',
  'kube-system',
];

const controller = (name: string): RequestContext => ({
  user: {
    username: `system:serviceaccount:kube-system:${name}`,
    groups: ['system:masters'],
  },
  dryRun: false,
});

const NAMESPACE_CONTROLLER = controller('namespace-controller');
const SERVICE_ACCOUNT_CONTROLLER = controller('service-account-controller');
const ROOT_CA_PUBLISHER = controller('root-ca-cert-publisher');

const ROOT_CA_CONFIG_MAP = 'kube-root-ca.crt';
const ROOT_CA_DESCRIPTION =
  'Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters.';

/** How long a terminating namespace waits before checking its remaining content again. */
const RETRY_MS = 500;

/** A namespace that is Active (not being deleted), by name; undefined otherwise. */
function activeNamespace(store: ObjectStore, name: string) {
  const ns = store.get('/namespaces', name);
  return ns && !ns.metadata.deletionTimestamp ? ns : undefined;
}

/** Each active namespace has a `default` ServiceAccount, recreated if deleted. */
export class ServiceAccountsController {
  private readonly queue = new ControllerQueue(name => this.reconcile(name));
  private stopWatches: Array<() => void> = [];

  constructor(
    private readonly store: ObjectStore,
    private readonly registry: ResourceRegistry,
    private readonly resources: ResourceService,
  ) {}

  start(): void {
    this.stopWatches = [
      follow(this.store, '/namespaces', event => {
        if (event.type !== 'DELETED') this.queue.add(event.key);
      }),
      follow(this.store, '/serviceaccounts', event => {
        if (
          event.type === 'DELETED' &&
          event.object.metadata.name === 'default'
        )
          this.queue.add(event.namespace);
      }),
    ];
    this.queue.start();
  }

  stop(): void {
    for (const stop of this.stopWatches) stop();
    this.queue.stop();
  }

  private reconcile(namespace: string) {
    if (!activeNamespace(this.store, namespace)) return;
    if (this.store.get('/serviceaccounts', `${namespace}/default`)) return;
    this.resources.create(
      this.registry.find('', 'v1', 'serviceaccounts')!,
      namespace,
      { metadata: { name: 'default' } },
      SERVICE_ACCOUNT_CONTROLLER,
    );
  }
}

/** Each active namespace has the `kube-root-ca.crt` ConfigMap with the cluster's CA, restored if changed or deleted. */
export class RootCaPublisher {
  private readonly queue = new ControllerQueue(name => this.reconcile(name));
  private stopWatches: Array<() => void> = [];

  constructor(
    private readonly store: ObjectStore,
    private readonly registry: ResourceRegistry,
    private readonly resources: ResourceService,
    private readonly pki: ClusterPki,
  ) {}

  start(): void {
    this.stopWatches = [
      follow(this.store, '/namespaces', event => {
        if (event.type !== 'DELETED') this.queue.add(event.key);
      }),
      follow(this.store, '/configmaps', event => {
        if (
          event.type !== 'ADDED' &&
          event.object.metadata.name === ROOT_CA_CONFIG_MAP
        )
          this.queue.add(event.namespace);
      }),
    ];
    this.queue.start();
  }

  stop(): void {
    for (const stop of this.stopWatches) stop();
    this.queue.stop();
  }

  private reconcile(namespace: string) {
    if (!activeNamespace(this.store, namespace)) return;
    const configMaps = this.registry.find('', 'v1', 'configmaps')!;
    const data = { 'ca.crt': this.pki.caCertPem };
    const existing = this.store.get(
      '/configmaps',
      `${namespace}/${ROOT_CA_CONFIG_MAP}`,
    );
    if (!existing) {
      this.resources.create(
        configMaps,
        namespace,
        {
          metadata: {
            name: ROOT_CA_CONFIG_MAP,
            annotations: { 'kubernetes.io/description': ROOT_CA_DESCRIPTION },
          },
          data,
        },
        ROOT_CA_PUBLISHER,
      );
      return;
    }
    if ((existing as any).data?.['ca.crt'] === data['ca.crt']) return;
    this.resources.write(
      configMaps,
      namespace,
      ROOT_CA_CONFIG_MAP,
      '',
      existing,
      { ...existing, data } as KubeObject,
      ROOT_CA_PUBLISHER,
    );
  }
}

/**
 * Creates the system namespaces and the `kubernetes` Service, and empties
 * each terminating namespace, then removes it.
 */
export class NamespaceController {
  private readonly queue = new ControllerQueue(name => this.reconcile(name));
  private stopWatch: (() => void) | undefined;

  constructor(
    private readonly store: ObjectStore,
    private readonly registry: ResourceRegistry,
    private readonly resources: ResourceService,
  ) {}

  start(): void {
    const namespaces = this.registry.find('', 'v1', 'namespaces')!;
    for (const name of SYSTEM_NAMESPACES) {
      if (!this.store.get('/namespaces', name)) {
        this.resources.create(
          namespaces,
          '',
          { metadata: { name } },
          NAMESPACE_CONTROLLER,
        );
      }
    }
    const services = this.registry.find('', 'v1', 'services')!;
    if (!this.store.get('/services', 'default/kubernetes')) {
      this.resources.create(
        services,
        'default',
        kubernetesService(),
        NAMESPACE_CONTROLLER,
      );
    }
    this.stopWatch = follow(this.store, '/namespaces', event => {
      if (event.type !== 'DELETED' && event.object.metadata.deletionTimestamp)
        this.queue.add(event.key);
    });
    this.queue.start();
  }

  stop(): void {
    this.stopWatch?.();
    this.queue.stop();
  }

  private reconcile(name: string): ReconcileResult {
    const ns = this.store.get('/namespaces', name);
    if (!ns?.metadata.deletionTimestamp) return undefined;
    return this.finalize(ns);
  }

  /** Deletes everything in the namespace; once it is empty, removes the namespace. */
  private finalize(ns: KubeObject): ReconcileResult {
    const namespace = ns.metadata.name!;
    let remaining = 0;
    for (const type of this.registry.all()) {
      if (!type.namespaced || !type.stored || !isStorageVersion(type)) continue;
      const { items } = this.store.list(storageKey(type), { namespace });
      remaining += items.length;
      for (const item of items) {
        if (item.metadata.deletionTimestamp) continue;
        this.resources.delete(
          type,
          namespace,
          item.metadata.name!,
          { propagationPolicy: 'Background' },
          NAMESPACE_CONTROLLER,
        );
      }
    }
    if (remaining > 0) return { requeueAfterMs: RETRY_MS };
    const namespaces = this.registry.find('', 'v1', 'namespaces')!;
    const spec = (ns as any).spec ?? {};
    const finalizers: string[] = (spec.finalizers ?? []).filter(
      (f: string) => f !== 'kubernetes',
    );
    let current = ns;
    if ((spec.finalizers ?? []).length !== finalizers.length) {
      const next = { ...ns, spec: { ...spec, finalizers } };
      if (!finalizers.length) delete next.spec.finalizers;
      current = this.resources.write(
        namespaces,
        '',
        namespace,
        'finalize',
        ns,
        next,
        NAMESPACE_CONTROLLER,
      );
    }
    const specFinalizers = (current as any).spec?.finalizers ?? [];
    if (
      !specFinalizers.length &&
      !current.metadata.finalizers?.length &&
      this.store.get('/namespaces', namespace)
    ) {
      this.store.delete(
        '/namespaces',
        namespace,
        '',
        current.metadata.resourceVersion,
      );
    }
    return undefined;
  }
}
