import { createWriteStream } from 'node:fs';
import path from 'node:path';
import type { IsolationSupport } from '../runtime/sandbox';
import { loadOrCreatePki, writePrivate } from '../pki/certificates';
import { buildKubeconfig } from '../pki/kubeconfig';
import { ObjectStore } from '../store/objectStore';
import { installTekton, tektonAdmission, tektonConverter } from '../tekton';
import { loadStoreFile, StorePersister } from '../store/persistence';
import {
  defaultTolerationSecondsAdmission,
  limitRangerAdmission,
  podNodeSelectorAdmission,
  QuotaController,
  resourceQuotaAdmission,
  serviceAccountAdmission,
} from './admissionPlugins';
import {
  MutatingWebhookAdmission,
  webhookConfigurationDefaulter,
  webhookConfigurationValidator,
} from './admissionWebhooks';
import { ApiServer } from './apiServer';
import type { FaultInjection } from './faults';
import { CustomResourceDefinitionController } from './crds';
import {
  bootstrapRbac,
  machineryDefaulter,
  machinerySelectors,
  machineryStrategicMergePatch,
  machineryValidator,
  rbacAuthorization,
} from './machineryWiring';
import { EndpointsController } from './endpoints';
import { EventTtlController } from './eventTtl';
import {
  bootstrapPriorityClasses,
  priorityAdmission,
  priorityClassValidator,
} from './priority';
import { GarbageCollector } from './garbageCollector';
import { ReplicationControllers } from './replication';
import { JobController, jobSelectorAdmission } from './jobs';
import { CronJobController } from './cronJobs';
import { StatefulSetController } from './statefulSets';
import { DaemonSetController } from './daemonSets';
import { DisruptionController } from './disruption';
import { NotEnforcedReporter } from './networking';
import { MetricsProvider } from './metrics';
import { horizontalPodAutoscalerConverter } from './autoscalingConversion';
import { HorizontalPodAutoscalerController } from './horizontalPodAutoscalers';
import { Workloads } from './workloads';
import {
  NamespaceController,
  RootCaPublisher,
  ServiceAccountsController,
} from './namespaces';
import { ServiceAllocator } from './services';
import { ResourceRegistry } from './registry';
import {
  defaultStorageClassAdmission,
  LocalVolumeProvisioner,
  PvcProtectionController,
  storageObjectInUseProtectionAdmission,
} from './volumes';

export interface DevClusterOptions {
  /** Where the PKI (and by default the kubeconfig) live; created if missing. */
  stateDir: string;
  /** 0 (default) picks a free port. */
  port?: number;
  /** Loopback only: 127.0.0.1 (default), ::1 or localhost. */
  host?: string;
  /** A JSON file the objects are kept in across restarts. */
  persistFile?: string;
  /** Where to write the admin kubeconfig (default `<stateDir>/kubeconfig`). */
  kubeconfigPath?: string;
  /** Events kept per resource for watches and consistent paging (default 10,000). */
  watchHistory?: number;
  /** Interval of watch bookmarks (default 60 s). */
  bookmarkIntervalMs?: number;
  /**
   * How long an Event is kept after its last write, as kube-apiserver's
   * `--event-ttl` (default 1 h); 0 keeps Events until they are deleted.
   */
  eventTtlMs?: number;
  /**
   * Run the scheduler and kubelets, so pods are placed on nodes and their
   * containers run as local processes (default true). Without them pods stay
   * Pending, as on a cluster without nodes.
   */
  runWorkloads?: boolean;
  /** A topology YAML file replacing the default nodes (3 zones × 2 racks × 3 hosts). */
  topologyFile?: string;
  /**
   * An image catalog YAML file whose repositories add to or replace those the
   * package ships (`src/kubelet/imageCatalog.yaml`).
   */
  imageCatalogFile?: string;
  /** Latency, failures and dropped watches to inject (changeable later with `server.setFaults`). */
  faults?: FaultInjection;
  /**
   * Install Tekton Pipelines v1: its CRDs, its admission webhook's
   * validation, and its controller, which runs as a client of this API as it
   * would on a real cluster (default true).
   */
  tekton?: boolean;
  /**
   * A file to append the audit log to, one `audit.k8s.io/v1` Event (level
   * Metadata) a line, as kube-apiserver's `--audit-log-path`.
   */
  auditLogPath?: string;
}

export interface DevCluster {
  url: string;
  kubeconfigPath: string;
  /** The admin kubeconfig (context `cairn-dev`, user kubernetes-admin in system:masters). */
  kubeconfig: string;
  /** The API server, for components that plug into it (authorizers, subresource handlers). */
  server: ApiServer;
  /**
   * Whether pods run isolated (their own mount, UTS, IPC and PID namespaces),
   * and if not why; undefined without workloads.
   */
  isolation?: IsolationSupport | false;
  stop(): Promise<void>;
}

/** Starts a dev cluster API server on loopback and writes its admin kubeconfig. */
export async function startDevCluster(
  options: DevClusterOptions,
): Promise<DevCluster> {
  const stateDir = path.resolve(options.stateDir);
  const pki = await loadOrCreatePki(path.join(stateDir, 'pki'));
  const store = new ObjectStore({ historyLimit: options.watchHistory });
  let persister: StorePersister | undefined;
  if (options.persistFile) {
    loadStoreFile(store, options.persistFile);
    persister = new StorePersister(store, options.persistFile);
  }
  const registry = new ResourceRegistry();
  const server = new ApiServer({
    pki,
    store,
    registry,
    host: options.host,
    port: options.port,
    bookmarkIntervalMs: options.bookmarkIntervalMs,
  });
  server.setFaults(options.faults);
  const auditLog = options.auditLogPath
    ? createWriteStream(options.auditLogPath, { flags: 'a', mode: 0o600 })
    : undefined;
  if (auditLog)
    server.onAudit(event => auditLog.write(`${JSON.stringify(event)}\n`));
  server.setSelectorCompiler(machinerySelectors);
  server.setStrategicMergePatch(machineryStrategicMergePatch);
  server.resources.addDefaulter(machineryDefaulter);
  server.resources.addValidator(machineryValidator);
  server.resources.addValidator(priorityClassValidator);
  server.resources.addDefaulter(webhookConfigurationDefaulter);
  server.resources.addValidator(webhookConfigurationValidator);
  server.setMutatingWebhooks(
    new MutatingWebhookAdmission(store, server.resources),
  );
  // Tekton's conversion webhook; used only by CRDs that ask for it (Tekton's).
  server.resources.conversion.add(tektonConverter);
  server.resources.conversion.add(horizontalPodAutoscalerConverter);
  const withTekton = options.tekton ?? true;
  for (const plugin of [
    ...(withTekton ? [tektonAdmission] : []),
    serviceAccountAdmission(store),
    defaultTolerationSecondsAdmission,
    podNodeSelectorAdmission(store),
    defaultStorageClassAdmission(store),
    storageObjectInUseProtectionAdmission,
    priorityAdmission(store),
    ...limitRangerAdmission(store),
    new ServiceAllocator(store),
    resourceQuotaAdmission(store, registry, server.resources),
    jobSelectorAdmission,
  ]) {
    server.resources.addAdmissionPlugin(plugin);
  }
  const rbac = rbacAuthorization(store);
  server.addAuthorizer(rbac.authorizer);
  server.setRulesResolver(rbac.rules);
  bootstrapRbac(registry, server.resources);
  bootstrapPriorityClasses(registry, server.resources);
  const crds = new CustomResourceDefinitionController(
    store,
    registry,
    server.resources,
  );
  crds.start();
  const namespaces = new NamespaceController(store, registry, server.resources);
  namespaces.start();
  const serviceAccounts = new ServiceAccountsController(
    store,
    registry,
    server.resources,
  );
  serviceAccounts.start();
  const rootCa = new RootCaPublisher(store, registry, server.resources, pki);
  rootCa.start();
  const quotas = new QuotaController(store, registry, server.resources);
  quotas.start();
  const garbageCollector = new GarbageCollector(
    store,
    registry,
    server.resources,
  );
  garbageCollector.start();
  const replication = new ReplicationControllers(
    store,
    registry,
    server.resources,
  );
  replication.start();
  const jobs = new JobController(store, registry, server.resources);
  jobs.start();
  const cronJobs = new CronJobController(store, registry, server.resources);
  cronJobs.start();
  const statefulSets = new StatefulSetController(
    store,
    registry,
    server.resources,
  );
  statefulSets.start();
  const daemonSets = new DaemonSetController(store, registry, server.resources);
  daemonSets.start();
  const disruption = new DisruptionController(
    store,
    registry,
    server.resources,
  );
  disruption.start();
  const notEnforced = new NotEnforcedReporter(
    store,
    registry,
    server.resources,
  );
  notEnforced.start();
  const endpoints = new EndpointsController(store, registry, server.resources);
  endpoints.start();
  const volumes = new LocalVolumeProvisioner(
    store,
    registry,
    server.resources,
    { volumesDir: path.join(stateDir, 'volumes') },
  );
  volumes.start();
  const pvcProtection = new PvcProtectionController(
    store,
    registry,
    server.resources,
  );
  pvcProtection.start();
  const eventTtl =
    options.eventTtlMs === 0
      ? undefined
      : new EventTtlController(store, { ttlMs: options.eventTtlMs });
  eventTtl?.start();
  let workloads: Workloads | undefined;
  /** Where the API server listens, once it does: the containers' KUBERNETES_SERVICE_HOST/PORT. */
  const apiServer: { url?: string } = {};
  let autoscalers: HorizontalPodAutoscalerController | undefined;
  if (options.runWorkloads ?? true) {
    workloads = new Workloads(store, registry, server.resources, {
      runtimeDir: path.join(stateDir, 'runtime'),
      hiddenPaths: [stateDir],
      tokens: server.tokens,
      apiServerUrl: () => apiServer.url,
      topologyFile: options.topologyFile,
      imageCatalogFile: options.imageCatalogFile,
    });
    workloads.start();
    server.setSubresourceHandler('pods/log', workloads.logs);
    const metrics = new MetricsProvider(store, id => workloads!.container(id));
    server.setReadOnlyResource('metrics.k8s.io/pods', namespace =>
      metrics.podMetrics(namespace),
    );
    server.setReadOnlyResource('metrics.k8s.io/nodes', () =>
      metrics.nodeMetrics(),
    );
    autoscalers = new HorizontalPodAutoscalerController(
      store,
      registry,
      server.resources,
      metrics,
    );
    autoscalers.start();
    server.setUpgradeHandler('pods/exec', workloads.streams);
    server.setUpgradeHandler('pods/attach', workloads.streams);
    server.setUpgradeHandler('pods/portforward', workloads.portForward);
  }

  const url = await server.listen();
  apiServer.url = url;
  const kubeconfig = buildKubeconfig({
    server: url,
    caCertPem: pki.caCertPem,
    clientCertPem: pki.adminCertPem,
    clientKeyPem: pki.adminKeyPem,
    userName: 'kubernetes-admin',
  });
  const kubeconfigPath = path.resolve(
    options.kubeconfigPath ?? path.join(stateDir, 'kubeconfig'),
  );
  await writePrivate(kubeconfigPath, kubeconfig);
  const tekton = withTekton
    ? await installTekton(
        { kubeconfig },
        { claimsDir: path.join(stateDir, 'tekton-claims') },
      )
    : undefined;

  let stopped = false;
  return {
    url,
    kubeconfigPath,
    kubeconfig,
    server,
    isolation: workloads?.isolation,
    async stop() {
      if (stopped) return;
      stopped = true;
      crds.stop();
      namespaces.stop();
      serviceAccounts.stop();
      rootCa.stop();
      quotas.stop();
      garbageCollector.stop();
      replication.stop();
      jobs.stop();
      cronJobs.stop();
      statefulSets.stop();
      daemonSets.stop();
      disruption.stop();
      notEnforced.stop();
      autoscalers?.stop();
      endpoints.stop();
      volumes.stop();
      pvcProtection.stop();
      eventTtl?.stop();
      await tekton?.stop();
      await workloads?.stop();
      await server.close();
      await persister?.flush();
      if (auditLog)
        await new Promise<void>(resolve => auditLog.end(() => resolve()));
    },
  };
}
