import type { ObjectStore } from '../store/objectStore';
import type { KubeObject, StoreEvent } from '../store/types';
import type { ClusterPki } from '../pki/certificates';
import type { ResourceRegistry } from './registry';
import { storageKey } from './registry';
import type { ResourceService, RequestContext } from './resources';
import { kubernetesService } from './services';
import { ApiError } from './status';

/*
 * The namespace side of the control plane that lives with the API server:
 * the system namespaces, each namespace's `default` ServiceAccount and
 * `kube-root-ca.crt` ConfigMap (service account and root CA publisher
 * controllers), and the namespace controller that empties a terminating
 * namespace and then removes it.
 */

export const SYSTEM_NAMESPACES = [
  'default',
  'kube-node-lease',
  'kube-public',
  'kube-system',
];

const CONTROLLER: RequestContext = {
  user: {
    username: 'system:serviceaccount:kube-system:namespace-controller',
    groups: ['system:masters'],
  },
  dryRun: false,
};

/** How long a terminating namespace waits before checking its remaining content again. */
const RETRY_MS = 500;

export class NamespaceController {
  private readonly pending = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private stopWatch: (() => void) | undefined;

  constructor(
    private readonly store: ObjectStore,
    private readonly registry: ResourceRegistry,
    private readonly resources: ResourceService,
    private readonly pki: ClusterPki,
  ) {}

  start(): void {
    const namespaces = this.registry.find('', 'v1', 'namespaces')!;
    for (const name of SYSTEM_NAMESPACES) {
      if (!this.store.get('/namespaces', name)) {
        this.resources.create(
          namespaces,
          '',
          { metadata: { name } },
          CONTROLLER,
        );
      }
    }
    const services = this.registry.find('', 'v1', 'services')!;
    if (!this.store.get('/services', 'default/kubernetes')) {
      this.resources.create(
        services,
        'default',
        kubernetesService(),
        CONTROLLER,
      );
    }
    const handle = this.store.watch('/namespaces', {}, event =>
      this.onEvent(event),
    );
    for (const event of handle.initial) this.onEvent(event);
    this.stopWatch = handle.stop;
  }

  stop(): void {
    this.stopWatch?.();
    if (this.timer) clearTimeout(this.timer);
  }

  private onEvent(event: StoreEvent) {
    if (event.type === 'DELETED') return;
    // Store listeners must not write synchronously; reconcile on the next turn.
    this.pending.add(event.object.metadata.name!);
    this.schedule(0);
  }

  private schedule(delay: number) {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      const names = [...this.pending];
      this.pending.clear();
      for (const name of names) this.reconcile(name);
    }, delay);
  }

  private reconcile(name: string) {
    const ns = this.store.get('/namespaces', name);
    if (!ns) return;
    try {
      if (ns.metadata.deletionTimestamp) this.finalize(ns);
      else this.populate(name);
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      this.pending.add(name);
      this.schedule(RETRY_MS);
    }
  }

  private populate(namespace: string) {
    const serviceAccounts = this.registry.find('', 'v1', 'serviceaccounts')!;
    if (!this.store.get('/serviceaccounts', `${namespace}/default`)) {
      this.resources.create(
        serviceAccounts,
        namespace,
        { metadata: { name: 'default' } },
        CONTROLLER,
      );
    }
    const configMaps = this.registry.find('', 'v1', 'configmaps')!;
    if (!this.store.get('/configmaps', `${namespace}/kube-root-ca.crt`)) {
      this.resources.create(
        configMaps,
        namespace,
        {
          metadata: {
            name: 'kube-root-ca.crt',
            annotations: {
              'kubernetes.io/description':
                'Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters.',
            },
          },
          data: { 'ca.crt': this.pki.caCertPem },
        },
        CONTROLLER,
      );
    }
  }

  /** Deletes everything in the namespace; once it is empty, removes the namespace. */
  private finalize(ns: KubeObject) {
    const namespace = ns.metadata.name!;
    let remaining = 0;
    for (const type of this.registry.all()) {
      if (!type.namespaced || !type.stored) continue;
      if (type.custom && !type.custom.storage) continue;
      const { items } = this.store.list(storageKey(type), { namespace });
      remaining += items.length;
      for (const item of items) {
        if (item.metadata.deletionTimestamp) continue;
        this.resources.delete(
          type,
          namespace,
          item.metadata.name!,
          { propagationPolicy: 'Background' },
          CONTROLLER,
        );
      }
    }
    if (remaining > 0) {
      this.pending.add(namespace);
      this.schedule(RETRY_MS);
      return;
    }
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
        CONTROLLER,
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
  }
}
