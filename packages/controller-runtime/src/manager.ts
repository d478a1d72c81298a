import {
  KubeConfig,
  KubernetesObject,
  V1OwnerReference,
} from '@kubernetes/client-node';
import { Controller, ReconcileResult } from './controller';
import {
  collectionPath,
  Informer,
  InformerHandler,
  KindSelector,
} from './informer';
import { LeaderElector } from './leaderElection';
import { jsonLogger, Logger } from './logger';
import { ControllerMetrics } from './metrics';
import { objectKey } from './objectIndex';
import { HttpEndpoint, parseBindAddress, probe, serveRoutes } from './probes';
import type { RateLimiter } from './rateLimiter';

/*
 * The Manager, as controller-runtime's: one process, many controllers.
 * Controllers register a primary kind, the kinds they watch and how an
 * event on those maps to primary keys; the manager runs one shared informer
 * per kind (on every replica, so a new leader starts with warm caches), one
 * rate-limited queue and reconcile loop per controller (only on the leader
 * when leader election is on), /metrics, /healthz and /readyz, and stops it
 * all in order on stop().
 */

/** A watched kind, and the primary keys (`namespace/name`) an event on one of its objects queues. */
export interface Watch {
  kind: KindSelector;
  map(object: KubernetesObject): string[];
}

export interface ControllerRegistration {
  /** Unique; the `controller` label of its metrics and logs. */
  name: string;
  /** The kind reconciled: an event on one queues its own key. */
  for: KindSelector;
  /** Kinds whose objects the primary kind controls (by controller owner reference); their events queue the owner. */
  owns?: KindSelector[];
  /** Any other kinds, with their mapping to primary keys. */
  watches?: Watch[];
  /** Reconciles the primary object with this key; it may be gone from the cache (deleted). */
  reconcile(key: string): Promise<ReconcileResult | void>;
  /** Keys reconciled at once; 1 by default, as controller-runtime. */
  concurrency?: number;
  rateLimiter?: RateLimiter;
}

/**
 * What a controller package exports: given the manager (for its shared
 * informers, client config and logger), the controller to run.
 */
export type ControllerFactory = (
  manager: Manager,
) => ControllerRegistration | Promise<ControllerRegistration>;

export interface ManagerOptions {
  kubeConfig: KubeConfig;
  /** `host:port`, `:port` or `0` (off); controller-runtime's default `:8080`. */
  metricsBindAddress?: string;
  /** Likewise for /healthz and /readyz; default `:8081`. */
  healthProbeBindAddress?: string;
  /** Run controllers only while holding the Lease. */
  leaderElection?: {
    namespace: string;
    /** The Lease's name. */
    id: string;
    identity?: string;
    leaseDurationMs?: number;
    renewDeadlineMs?: number;
    retryPeriodMs?: number;
  };
  /** Resync period of the shared informers; 10 h by default, as controller-runtime's SyncPeriod. */
  resyncPeriodMs?: number;
  logger?: Logger;
}

const DEFAULT_RESYNC_MS = 10 * 60 * 60 * 1000;

/** A controller owner reference of this kind, as controller-runtime's EnqueueRequestForOwner(OnlyControllerOwner). */
function controllerOwner(
  object: KubernetesObject,
  primary: KindSelector,
): V1OwnerReference | undefined {
  const group = (apiVersion: string) =>
    apiVersion.includes('/') ? apiVersion.split('/')[0] : '';
  return object.metadata?.ownerReferences?.find(
    owner =>
      owner.controller &&
      owner.kind === primary.kind &&
      group(owner.apiVersion) === group(primary.apiVersion),
  );
}

function selectorKey(kind: KindSelector): string {
  return JSON.stringify([
    kind.apiVersion,
    kind.kind,
    kind.namespace ?? '',
    kind.labelSelector ?? '',
    kind.fieldSelector ?? '',
  ]);
}

export class Manager {
  readonly kubeConfig: KubeConfig;
  readonly metrics = new ControllerMetrics();
  readonly logger: Logger;
  private readonly informers = new Map<string, Promise<Informer>>();
  private readonly informerList: Informer[] = [];
  private readonly controllers: Array<{
    controller: Controller;
    informers: Informer[];
  }> = [];
  private readonly names = new Set<string>();
  private elector?: LeaderElector;
  private endpoints: { metrics?: HttpEndpoint; probes?: HttpEndpoint } = {};
  private started = false;
  private stopping = false;
  /** Settles when the manager stops: rejected if leadership was lost. */
  private done?: Promise<void>;
  private finish!: (error?: Error) => void;

  constructor(private readonly options: ManagerOptions) {
    this.kubeConfig = options.kubeConfig;
    this.logger = options.logger ?? jsonLogger();
  }

  /** The URL /metrics is served at, once started. */
  get metricsUrl(): string | undefined {
    return this.endpoints.metrics?.url;
  }

  /** The URL /healthz and /readyz are served at, once started. */
  get probesUrl(): string | undefined {
    return this.endpoints.probes?.url;
  }

  isLeader(): boolean {
    return this.elector ? this.elector.isLeader() : this.started;
  }

  get identity(): string | undefined {
    return this.elector?.identity;
  }

  /**
   * The shared informer of a kind (one per kind and selector, whoever asks);
   * started with the manager, or at once if it already runs.
   */
  informer<T extends KubernetesObject = KubernetesObject>(
    kind: KindSelector,
  ): Promise<Informer<T>> {
    const key = selectorKey(kind);
    let informer = this.informers.get(key);
    if (!informer) {
      informer = collectionPath(this.kubeConfig, kind).then(path => {
        const created = new Informer({
          kubeConfig: this.kubeConfig,
          path,
          labelSelector: kind.labelSelector,
          fieldSelector: kind.fieldSelector,
          resyncPeriodMs: this.options.resyncPeriodMs ?? DEFAULT_RESYNC_MS,
          onError: error =>
            this.logger.error('informer list/watch failed', error, {
              kind: kind.kind,
              path,
            }),
        });
        this.informerList.push(created);
        if (this.started && !this.stopping) void created.start();
        return created;
      });
      this.informers.set(key, informer);
    }
    return informer as unknown as Promise<Informer<T>>;
  }

  /** Adds a controller: its informers' events queue its keys. */
  async add(factory: ControllerFactory): Promise<void> {
    const registration = await factory(this);
    if (this.names.has(registration.name))
      throw new Error(
        `a controller named ${JSON.stringify(
          registration.name,
        )} is already registered`,
      );
    this.names.add(registration.name);
    const controller = new Controller({
      name: registration.name,
      reconcile: registration.reconcile,
      concurrency: registration.concurrency,
      rateLimiter: registration.rateLimiter,
      metrics: this.metrics,
      logger: this.logger,
    });
    const enqueueAll = (keys: string[]) => {
      for (const key of keys) controller.enqueue(key);
    };
    const handler = (map: (object: KubernetesObject) => string[]) =>
      ({
        add: object => enqueueAll(map(object)),
        update: (previous, object) => {
          enqueueAll(map(object));
          // An object that moved (e.g. to another owner) queues its old key too.
          if (previous !== object) enqueueAll(map(previous));
        },
        delete: object => enqueueAll(map(object)),
      } satisfies InformerHandler<KubernetesObject>);
    const watches: Watch[] = [
      { kind: registration.for, map: object => [objectKey(object)] },
      ...(registration.owns ?? []).map(kind => ({
        kind,
        map: (object: KubernetesObject) => {
          const owner = controllerOwner(object, registration.for);
          return owner
            ? [
                objectKey({
                  metadata: {
                    namespace: object.metadata?.namespace,
                    name: owner.name,
                  },
                }),
              ]
            : [];
        },
      })),
      ...(registration.watches ?? []),
    ];
    const informers: Informer[] = [];
    for (const watch of watches) {
      const informer = await this.informer(watch.kind);
      informer.addEventHandler(handler(watch.map));
      informers.push(informer);
    }
    const entry = { controller, informers };
    this.controllers.push(entry);
    if (this.started && this.isLeader()) void this.startController(entry);
  }

  /**
   * Starts the endpoints and informers, then (at once, or once elected)
   * the controllers. Resolves once started; `wait()` settles when it stops.
   */
  async start(): Promise<void> {
    if (this.started) throw new Error('the manager is already started');
    this.started = true;
    this.done = new Promise<void>((resolve, reject) => {
      this.finish = error => (error ? reject(error) : resolve());
    });
    // Nobody may be waiting yet; the rejection is for wait().
    this.done.catch(() => {});
    await this.serveEndpoints();
    for (const informer of this.informerList) void informer.start();
    const election = this.options.leaderElection;
    if (!election) {
      this.startControllers();
      return;
    }
    this.elector = new LeaderElector({
      kubeConfig: this.kubeConfig,
      namespace: election.namespace,
      name: election.id,
      identity: election.identity,
      leaseDurationMs: election.leaseDurationMs,
      renewDeadlineMs: election.renewDeadlineMs,
      retryPeriodMs: election.retryPeriodMs,
      metrics: this.metrics,
      logger: this.logger,
      onStartedLeading: () => this.startControllers(),
      onStoppedLeading: () => {
        if (this.stopping) return;
        // As controller-runtime: a replica that lost the lease exits, and
        // starts again as a candidate.
        void this.shutDown({ release: false }).then(() =>
          this.finish(new Error('leader election lost')),
        );
      },
    });
    void this.elector.run();
  }

  /** Settles when the manager has stopped; rejects if it lost leadership. */
  wait(): Promise<void> {
    if (!this.done) throw new Error('the manager is not started');
    return this.done;
  }

  /**
   * Stops gracefully: queues stop taking keys, reconciles under way finish,
   * informers stop, and the Lease is released (unless `release: false`,
   * which leaves it to expire as a crash would).
   */
  async stop({ release = true }: { release?: boolean } = {}): Promise<void> {
    await this.shutDown({ release });
    this.finish?.();
  }

  private async shutDown({ release }: { release: boolean }): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.logger.info('Stopping and waiting for non leader election runnables');
    await Promise.all(
      this.controllers.map(({ controller }) => controller.stop()),
    );
    for (const informer of this.informerList) informer.stop();
    await this.elector?.stop({ release });
    await Promise.all([
      this.endpoints.metrics?.close(),
      this.endpoints.probes?.close(),
    ]);
  }

  private startControllers(): void {
    for (const entry of this.controllers) void this.startController(entry);
  }

  /**
   * Starts a controller's workers once the informers it reads have synced,
   * as controller-runtime waits for its sources: a reconcile never decides
   * from a cache that has not seen the cluster yet. Events queued meanwhile
   * wait in its queue.
   */
  private async startController({
    controller,
    informers,
  }: {
    controller: Controller;
    informers: Informer[];
  }): Promise<void> {
    if (this.stopping) return;
    await Promise.all(informers.map(informer => informer.start()));
    if (!this.stopping) controller.start();
  }

  private async serveEndpoints(): Promise<void> {
    const metricsAddress = parseBindAddress(
      this.options.metricsBindAddress ?? ':8080',
    );
    const probesAddress = parseBindAddress(
      this.options.healthProbeBindAddress ?? ':8081',
    );
    if (metricsAddress)
      this.endpoints.metrics = await serveRoutes(metricsAddress, {
        '/metrics': async () => ({
          status: 200,
          contentType: this.metrics.contentType,
          body: await this.metrics.text(),
        }),
      });
    if (probesAddress) {
      const synced = () => {
        const pending = this.informerList.filter(i => !i.hasSynced());
        return pending.length
          ? `informers not synced: ${pending.map(i => i.path).join(', ')}`
          : undefined;
      };
      this.endpoints.probes = await serveRoutes(probesAddress, {
        '/healthz': probe({ ping: () => undefined }),
        '/readyz': probe({ informers: synced }),
      });
    }
  }
}
