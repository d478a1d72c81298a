import { createServer, Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  AdmissionregistrationV1Api,
  CoreV1Api,
  KubernetesObject,
  V1MutatingWebhookConfiguration,
  V1Namespace,
} from '@kubernetes/client-node';
import {
  Logger,
  Manager,
  parseBindAddress,
  statusOf,
} from '@cairn/controller-runtime';
import {
  Environment,
  ENVIRONMENT_KIND,
  environmentPodPatch,
  PLACEMENT_WEBHOOK_CONFIGURATION,
  PLACEMENT_WEBHOOK_PATH,
  placementWebhookConfiguration,
  TENANCY_API_VERSION,
  TopologyLabels,
} from '@cairn/operators-api';
import {
  certificatesServe,
  generateWebhookCertificates,
  WebhookCertificates,
} from './certificates';

/*
 * The placement webhook: every replica serves it over HTTPS (caches are warm
 * on all of them, and the API server may call any replica behind the
 * Service). The CA and serving certificate are made by the first replica
 * to start and kept in a Secret, so all replicas present certificates of
 * the one CA the MutatingWebhookConfiguration carries; each replica keeps
 * that configuration as it should be (an edited or deleted one is put back).
 */

export interface PlacementWebhookOptions {
  /** Where the webhook listens: host:port or :port. */
  bindAddress: string;
  /** The namespace of the Service and of the Secret holding the certificates. */
  namespace: string;
  /** The Service the API server calls (port 443), unless `url` is given. */
  service: string;
  /**
   * Where the API server calls instead (a manager outside the cluster): an
   * https URL; its path is replaced, and without a port the bound one is used.
   */
  url?: string;
  failurePolicy: 'Fail' | 'Ignore';
  timeoutSeconds: number;
  topologyLabels: TopologyLabels;
}

export interface PlacementWebhook {
  /** Serves, and registers the MutatingWebhookConfiguration; resolves once both are done. */
  start(): Promise<void>;
  /** `https://host:port` as bound. */
  readonly address: string | undefined;
  close(): Promise<void>;
}

/** The Secret keeping the webhook's CA and certificate, in the manager's namespace. */
export const WEBHOOK_SECRET = 'cairn-operators-webhook-tls';

type EnvironmentResource = Environment & KubernetesObject;

/** The names the serving certificate must hold. */
export function webhookHosts(options: PlacementWebhookOptions): string[] {
  if (options.url)
    return [new URL(options.url).hostname.replace(/^\[|\]$/g, '')];
  const { service, namespace } = options;
  return [
    `${service}.${namespace}.svc`,
    `${service}.${namespace}.svc.cluster.local`,
    `${service}.${namespace}`,
    service,
  ];
}

/**
 * The URL registered for `--webhook-url`: its path is the webhook's; without
 * a port, the port bound (so `--webhook-bind-address 127.0.0.1:0` works).
 */
export function webhookUrl(url: string, bound: AddressInfo): string {
  const parsed = new URL(url);
  if (!parsed.port) parsed.port = String(bound.port);
  parsed.pathname = PLACEMENT_WEBHOOK_PATH;
  return parsed.toString();
}

/** A JSON subset test: every field `want` sets, `have` has equal (the API server adds defaults). */
function covers(have: unknown, want: unknown): boolean {
  if (want === null || typeof want !== 'object')
    return JSON.stringify(have) === JSON.stringify(want);
  if (Array.isArray(want))
    return (
      Array.isArray(have) &&
      have.length === want.length &&
      want.every((w, i) => covers(have[i], w))
    );
  if (have === null || typeof have !== 'object') return false;
  return Object.entries(want).every(([key, value]) =>
    covers((have as Record<string, unknown>)[key], value),
  );
}

function readJson(req: IncomingMessage): Promise<any> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', chunk => chunks.push(chunk));
    req.on('error', reject);
    req.on('end', () => {
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString()));
      } catch (error) {
        reject(error);
      }
    });
  });
}

const send = (res: ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(body));
};

/**
 * Sets the placement webhook up on a manager not yet started (its
 * informers start with the manager's); `start()` it after the manager.
 */
export async function placementWebhook(
  manager: Manager,
  options: PlacementWebhookOptions,
): Promise<PlacementWebhook> {
  const logger: Logger = manager.logger.child({ webhook: 'placement' });
  const core = manager.kubeConfig.makeApiClient(CoreV1Api);
  const registration = manager.kubeConfig.makeApiClient(
    AdmissionregistrationV1Api,
  );
  const environments = await manager.informer<EnvironmentResource>({
    apiVersion: TENANCY_API_VERSION,
    kind: ENVIRONMENT_KIND,
  });
  const namespaces = await manager.informer<V1Namespace>({
    apiVersion: 'v1',
    kind: 'Namespace',
  });
  const configurations = await manager.informer<V1MutatingWebhookConfiguration>(
    {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'MutatingWebhookConfiguration',
      fieldSelector: `metadata.name=${PLACEMENT_WEBHOOK_CONFIGURATION}`,
    },
  );
  const bind = parseBindAddress(options.bindAddress);
  if (!bind) throw new Error('the placement webhook needs a bind address');
  let server: Server | undefined;
  let desired: V1MutatingWebhookConfiguration | undefined;
  let closed = false;

  /** The namespace from the cache; read when the cache has not seen it yet (just created). */
  async function namespaceOf(name: string): Promise<V1Namespace | undefined> {
    const cached = namespaces.get(name);
    if (cached) return cached;
    try {
      return await core.readNamespace({ name });
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      throw error;
    }
  }

  async function review(req: IncomingMessage, res: ServerResponse) {
    if (req.method !== 'POST' || !req.url?.startsWith(PLACEMENT_WEBHOOK_PATH))
      return send(res, 404, { message: 'not found' });
    let request: any;
    try {
      request = (await readJson(req)).request;
      if (!request?.uid) throw new Error('no request.uid');
    } catch (error) {
      return send(res, 400, {
        message: `not an AdmissionReview: ${(error as Error).message}`,
      });
    }
    // Refused with a 503, the API server applies the failure policy: a pod
    // is never admitted unplaced because this replica's caches are cold.
    if (!environments.hasSynced() || !namespaces.hasSynced())
      return send(res, 503, { message: 'caches not synced yet' });
    const patch = environmentPodPatch({
      pod: request.object ?? {},
      namespace: request.namespace,
      namespaceObject: await namespaceOf(request.namespace),
      environment: name => environments.get(name),
      keys: options.topologyLabels,
    });
    if (patch.length)
      logger.info('placing pod', {
        namespace: request.namespace,
        pod:
          request.object?.metadata?.name ??
          request.object?.metadata?.generateName,
      });
    return send(res, 200, {
      apiVersion: 'admission.k8s.io/v1',
      kind: 'AdmissionReview',
      response: {
        uid: request.uid,
        allowed: true,
        ...(patch.length
          ? {
              patchType: 'JSONPatch',
              patch: Buffer.from(JSON.stringify(patch)).toString('base64'),
            }
          : {}),
      },
    });
  }

  /** The kept certificates, or new ones kept for the other replicas (the first writer wins). */
  async function certificates(): Promise<WebhookCertificates> {
    const hosts = webhookHosts(options);
    const secretName = { name: WEBHOOK_SECRET, namespace: options.namespace };
    const fromSecret = (data?: Record<string, string>) =>
      data?.['ca.crt'] && data['tls.crt'] && data['tls.key']
        ? {
            caPem: Buffer.from(data['ca.crt'], 'base64').toString(),
            certPem: Buffer.from(data['tls.crt'], 'base64').toString(),
            keyPem: Buffer.from(data['tls.key'], 'base64').toString(),
          }
        : undefined;
    for (let attempt = 0; attempt < 5; attempt++) {
      let existing;
      try {
        existing = await core.readNamespacedSecret(secretName);
      } catch (error) {
        if (statusOf(error) !== 404) throw error;
      }
      const kept = fromSecret(existing?.data);
      if (kept && certificatesServe(kept, hosts)) return kept;
      const made = generateWebhookCertificates(hosts);
      const body = {
        metadata: {
          ...secretName,
          labels: { 'app.kubernetes.io/part-of': 'cairn' },
          ...(existing
            ? { resourceVersion: existing.metadata!.resourceVersion }
            : {}),
        },
        type: 'kubernetes.io/tls',
        data: {
          'ca.crt': Buffer.from(made.caPem).toString('base64'),
          'tls.crt': Buffer.from(made.certPem).toString('base64'),
          'tls.key': Buffer.from(made.keyPem).toString('base64'),
        },
      };
      try {
        if (existing)
          await core.replaceNamespacedSecret({ ...secretName, body });
        else
          await core.createNamespacedSecret({
            namespace: options.namespace,
            body,
          });
        logger.info('made the webhook certificates', {
          secret: WEBHOOK_SECRET,
        });
        return made;
      } catch (error) {
        // Another replica wrote first: use its certificates.
        if (statusOf(error) !== 409) throw error;
      }
    }
    throw new Error(
      `could not keep the webhook certificates in ${WEBHOOK_SECRET}`,
    );
  }

  let keeping: Promise<void> | undefined;
  let again = false;
  /** Puts the configuration back as it should be; one write at a time. */
  function keep(): Promise<void> {
    if (!desired || closed) return Promise.resolve();
    if (keeping) {
      again = true;
      return keeping;
    }
    keeping = (async () => {
      do {
        again = false;
        try {
          await ensureConfiguration(desired!);
        } catch (error) {
          logger.error(
            'keeping the MutatingWebhookConfiguration failed',
            error,
          );
          setTimeout(() => void keep(), 2_000).unref();
        }
      } while (again && !closed);
    })().finally(() => {
      keeping = undefined;
    });
    return keeping;
  }

  async function ensureConfiguration(want: V1MutatingWebhookConfiguration) {
    let have: V1MutatingWebhookConfiguration | undefined;
    try {
      have = await registration.readMutatingWebhookConfiguration({
        name: PLACEMENT_WEBHOOK_CONFIGURATION,
      });
    } catch (error) {
      if (statusOf(error) !== 404) throw error;
    }
    if (have && covers(have, want)) return;
    try {
      if (!have) {
        await registration.createMutatingWebhookConfiguration({ body: want });
      } else {
        await registration.replaceMutatingWebhookConfiguration({
          name: PLACEMENT_WEBHOOK_CONFIGURATION,
          body: {
            ...want,
            metadata: {
              ...want.metadata,
              resourceVersion: have.metadata!.resourceVersion,
            },
          },
        });
      }
      logger.info('registered the MutatingWebhookConfiguration', {
        name: PLACEMENT_WEBHOOK_CONFIGURATION,
      });
    } catch (error) {
      // Another replica (or an edit) raced this write: look again.
      if (statusOf(error) !== 409) throw error;
      again = true;
    }
  }

  configurations.addEventHandler({
    add: () => void keep(),
    update: () => void keep(),
    delete: () => void keep(),
  });

  const webhook: PlacementWebhook = {
    get address() {
      const bound = server?.address() as AddressInfo | null | undefined;
      if (!bound) return undefined;
      const host =
        bound.family === 'IPv6' ? `[${bound.address}]` : bound.address;
      return `https://${host}:${bound.port}`;
    },
    async start() {
      const tls = await certificates();
      server = createServer(
        { cert: tls.certPem, key: tls.keyPem },
        (req, res) =>
          review(req, res).catch(error => {
            logger.error('admission review failed', error);
            if (!res.headersSent)
              send(res, 500, { message: (error as Error).message });
          }),
      );
      await new Promise<void>((resolve, reject) => {
        server!.once('error', reject);
        server!.listen(bind.port, bind.host, () => resolve());
      });
      desired = placementWebhookConfiguration({
        clientConfig: options.url
          ? { url: webhookUrl(options.url, server.address() as AddressInfo) }
          : {
              service: {
                namespace: options.namespace,
                name: options.service,
                path: PLACEMENT_WEBHOOK_PATH,
                port: 443,
              },
            },
        caPem: tls.caPem,
        failurePolicy: options.failurePolicy,
        timeoutSeconds: options.timeoutSeconds,
      });
      await keep();
      logger.info('placement webhook serving', { address: webhook.address });
    },
    async close() {
      closed = true;
      await keeping;
      if (!server) return;
      server.closeAllConnections();
      await new Promise<void>(resolve => server!.close(() => resolve()));
    },
  };
  return webhook;
}
