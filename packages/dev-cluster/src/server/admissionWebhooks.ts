import { randomUUID } from 'node:crypto';
import { request as httpsRequest } from 'node:https';
import { applyPatch, Operation } from 'fast-json-patch';
import {
  callFailureReason,
  defaultMutatingWebhooks,
  MutatingWebhook,
  validateMutatingWebhooks,
  webhookCallFailure,
  webhookDenial,
  webhookMatches,
  WebhookRequest,
} from '../machinery/admissionWebhooks';
import { fieldErrorBody } from '../machinery/errors';
import type { ObjectStore } from '../store/objectStore';
import type { KubeObject } from '../store/types';
import { jsonEqual } from './objects';
import type { ResourceType } from './registry';
import type {
  Defaulter,
  RequestContext,
  ResourceService,
  Validator,
} from './resources';
import { ApiError, badRequest, internalError } from './status';

/*
 * MutatingAdmissionWebhook: admissionregistration.k8s.io/v1
 * MutatingWebhookConfigurations are stored, defaulted and validated, and a
 * create sent through the API is POSTed as an admission.k8s.io/v1
 * AdmissionReview to every webhook whose rules, namespaceSelector and
 * objectSelector match it — after defaulting and the built-in mutating
 * plugins, as kube-apiserver orders them — over HTTPS verified against the
 * webhook's caBundle, within its timeoutSeconds. A JSONPatch answer is
 * applied; a refusal refuses the request in kube-apiserver's words; a
 * failed call refuses it (failurePolicy Fail) or is skipped (Ignore).
 * Webhooks with reinvocationPolicy IfNeeded are called once more when a
 * later webhook changed the object, and the built-in plugins run again on
 * the result (kube-apiserver reinvokes them too).
 *
 * Only creates through the API's create verb (a POST: kubectl create and
 * client-side apply, client libraries, operators) are sent. The admission
 * chain is synchronous, so what does not pass the HTTP layer's create is
 * not: the pods the dev cluster's own controllers (ReplicaSet,
 * StatefulSet, Job, DaemonSet) create in-process, a server-side apply that
 * creates, and updates, deletes and connects.
 */

export const WEBHOOK_CONFIGURATIONS =
  'admissionregistration.k8s.io/mutatingwebhookconfigurations';

interface Configuration extends KubeObject {
  webhooks?: MutatingWebhook[];
}

const isConfiguration = (type: ResourceType) =>
  type.group === 'admissionregistration.k8s.io' &&
  type.plural === 'mutatingwebhookconfigurations';

/** kube-apiserver's v1 defaults for the kind. */
export const webhookConfigurationDefaulter: Defaulter = (type, object) => {
  if (isConfiguration(type)) defaultMutatingWebhooks(object as Configuration);
  return object;
};

/** kube-apiserver's validation of the kind. */
export const webhookConfigurationValidator: Validator = (type, object) =>
  isConfiguration(type)
    ? validateMutatingWebhooks(object as Configuration).map(error => ({
        reason: error.type,
        message: fieldErrorBody(error),
        field: error.field,
      }))
    : [];

/** Server-set metadata the second, real create sets afresh. */
const SERVER_SET = [
  'uid',
  'resourceVersion',
  'creationTimestamp',
  'generation',
  'managedFields',
] as const;

interface Invocation {
  name: string;
  webhook: MutatingWebhook;
}

export class MutatingWebhookAdmission {
  constructor(
    private readonly store: ObjectStore,
    private readonly resources: ResourceService,
  ) {}

  /**
   * The body to create after the webhooks: as it came when none applies,
   * else the object as defaulted and admitted by the built-in plugins with
   * the webhooks' patches applied. Throws the ApiError refusing it.
   */
  async admitCreate(
    type: ResourceType,
    namespace: string,
    body: unknown,
    ctx: RequestContext,
  ): Promise<unknown> {
    if (!this.store.count(WEBHOOK_CONFIGURATIONS)) return body;
    // The object kube-apiserver would hand its webhooks: defaulted and
    // mutated by the built-in plugins, not validated yet (as a dry run:
    // plugins allocate nothing for it).
    const preview = this.resources.prepareCreate(
      type,
      namespace,
      structuredClone(body),
      { ...ctx, dryRun: true, warnings: undefined },
    );
    const webhooks = this.matching(type, namespace, preview);
    if (!webhooks.length) return body;
    let object: KubeObject = structuredClone(preview);
    let lastChange = -1;
    const call = async (invocation: Invocation, index: number) => {
      const next = await this.invoke(invocation, type, namespace, object, ctx);
      if (next && !jsonEqual(next, object)) {
        object = next;
        lastChange = index;
      }
    };
    for (const [index, invocation] of webhooks.entries())
      await call(invocation, index);
    // Reinvocation: once, for those that ran before a later change.
    if (lastChange > 0) {
      const changedAt = lastChange;
      for (const [index, invocation] of webhooks.entries())
        if (
          index < changedAt &&
          invocation.webhook.reinvocationPolicy === 'IfNeeded'
        )
          await call(invocation, webhooks.length + index);
    }
    if (lastChange < 0) return body;
    for (const key of SERVER_SET) delete object.metadata[key];
    return object;
  }

  /** The webhooks the request goes to, in the order kube-apiserver calls them (configurations by name). */
  private matching(
    type: ResourceType,
    namespace: string,
    object: KubeObject,
  ): Invocation[] {
    // A Namespace is selected by its own labels; other cluster-scoped
    // objects never by namespaceSelector.
    let namespaceLabels: Record<string, string> | undefined;
    if (type.namespaced)
      namespaceLabels =
        this.store.get('/namespaces', namespace)?.metadata.labels ?? {};
    else if (type.group === '' && type.plural === 'namespaces')
      namespaceLabels = object.metadata.labels ?? {};
    const request: WebhookRequest = {
      operation: 'CREATE',
      group: type.group,
      version: type.version,
      resource: type.plural,
      namespaced: type.namespaced,
      objectLabels: object.metadata.labels ?? {},
      namespaceLabels,
    };
    const configurations = (
      this.store.list(WEBHOOK_CONFIGURATIONS).items as Configuration[]
    ).sort((a, b) => a.metadata.name!.localeCompare(b.metadata.name!));
    return configurations.flatMap(configuration =>
      (configuration.webhooks ?? [])
        .filter(webhook => webhookMatches(webhook, request))
        .map(webhook => ({ name: webhook.name, webhook })),
    );
  }

  /** One call: the patched object, undefined when unchanged or skipped (Ignore); throws a refusal. */
  private async invoke(
    { name, webhook }: Invocation,
    type: ResourceType,
    namespace: string,
    object: KubeObject,
    ctx: RequestContext,
  ): Promise<KubeObject | undefined> {
    if (ctx.dryRun && !['None', 'NoneOnDryRun'].includes(webhook.sideEffects!))
      throw badRequest(`admission webhook "${name}" does not support dry run`);
    const uid = randomUUID();
    const review = {
      apiVersion: 'admission.k8s.io/v1',
      kind: 'AdmissionReview',
      request: {
        uid,
        kind: { group: type.group, version: type.version, kind: type.kind },
        resource: {
          group: type.group,
          version: type.version,
          resource: type.plural,
        },
        requestKind: {
          group: type.group,
          version: type.version,
          kind: type.kind,
        },
        requestResource: {
          group: type.group,
          version: type.version,
          resource: type.plural,
        },
        name: object.metadata.name,
        ...(type.namespaced ? { namespace } : {}),
        operation: 'CREATE',
        userInfo: {
          username: ctx.user.username,
          ...(ctx.user.uid ? { uid: ctx.user.uid } : {}),
          groups: ctx.user.groups,
        },
        object,
        oldObject: null,
        dryRun: ctx.dryRun,
        options: { apiVersion: 'meta.k8s.io/v1', kind: 'CreateOptions' },
      },
    };
    let response: any;
    try {
      response = await this.post(webhook, review);
      if (response?.uid !== uid)
        throw new Error(
          `expected response.uid="${uid}", got "${response?.uid ?? ''}"`,
        );
    } catch (error) {
      if (webhook.failurePolicy === 'Ignore') {
        (ctx.warnings ??= []).push(
          `failed calling webhook "${name}", ignored (failurePolicy Ignore): ${
            (error as Error).message
          }`,
        );
        return undefined;
      }
      throw internalError(webhookCallFailure(name, (error as Error).message));
    }
    if (!response.allowed) {
      const denial = webhookDenial(name, response.status);
      throw new ApiError(denial.code, denial.reason, denial.message);
    }
    for (const warning of response.warnings ?? [])
      (ctx.warnings ??= []).push(String(warning));
    if (!response.patch) return undefined;
    if (response.patchType !== 'JSONPatch')
      throw internalError(
        webhookCallFailure(
          name,
          `unsupported patch type "${response.patchType}"`,
        ),
      );
    try {
      const operations = JSON.parse(
        Buffer.from(response.patch, 'base64').toString(),
      ) as Operation[];
      return applyPatch(structuredClone(object), operations, true, false)
        .newDocument;
    } catch (error) {
      throw internalError(
        `JSONPatch from webhook "${name}" cannot be applied: ${
          (error as Error).message
        }`,
      );
    }
  }

  /** POSTs the review over HTTPS, trusting the caBundle only (system roots without one). */
  private post(webhook: MutatingWebhook, review: object): Promise<any> {
    const timeoutSeconds = webhook.timeoutSeconds ?? 10;
    const { url, servername } = this.resolve(webhook);
    const target = new URL(url);
    const address = this.dialAddress(webhook) ?? {
      host: target.hostname.replace(/^\[|\]$/g, ''),
      port: Number(target.port || 443),
    };
    const ca = webhook.clientConfig.caBundle
      ? Buffer.from(webhook.clientConfig.caBundle, 'base64').toString()
      : undefined;
    const body = JSON.stringify(review);
    return new Promise((resolve, reject) => {
      const fail = (error: NodeJS.ErrnoException) =>
        reject(new Error(callFailureReason(error, url, timeoutSeconds)));
      const req = httpsRequest(
        {
          host: address.host,
          port: address.port,
          servername,
          path: `${target.pathname}${target.search || '?'}${
            target.search ? '&' : ''
          }timeout=${timeoutSeconds}s`,
          method: 'POST',
          ca,
          headers: {
            'Content-Type': 'application/json',
            Accept: 'application/json',
            'Content-Length': Buffer.byteLength(body),
          },
          signal: AbortSignal.timeout(timeoutSeconds * 1000),
        },
        res => {
          const chunks: Buffer[] = [];
          res.on('data', chunk => chunks.push(chunk));
          res.on('error', fail);
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString();
            if ((res.statusCode ?? 0) < 200 || (res.statusCode ?? 0) >= 300) {
              reject(
                new Error(
                  `Post "${url}?timeout=${timeoutSeconds}s": the server responded with ${res.statusCode}: ${text}`,
                ),
              );
              return;
            }
            try {
              resolve(JSON.parse(text).response);
            } catch {
              reject(new Error(`the server's response is not JSON: ${text}`));
            }
          });
        },
      );
      req.on('error', (error: NodeJS.ErrnoException) =>
        fail(
          error.name === 'AbortError' || error.name === 'TimeoutError'
            ? Object.assign(error, { code: 'ETIMEDOUT' })
            : error,
        ),
      );
      req.end(body);
    });
  }

  /** The URL a webhook is called at, and the name its certificate must hold. */
  private resolve(webhook: MutatingWebhook): {
    url: string;
    servername?: string;
  } {
    const { url, service } = webhook.clientConfig;
    if (url) {
      const host = new URL(url).hostname;
      // Go's TLS sends no SNI for an IP address; Node refuses one.
      return { url, servername: /^[\d.]+$|:/.test(host) ? undefined : host };
    }
    const host = `${service!.name}.${service!.namespace}.svc`;
    return {
      url: `https://${host}:${service!.port ?? 443}${service!.path ?? ''}`,
      servername: host,
    };
  }

  /**
   * Where a Service's webhook is dialled: a ready address of its Endpoints
   * on the target port of the Service's port (the dev cluster has no
   * cluster IPs to route).
   */
  private dialAddress(
    webhook: MutatingWebhook,
  ): { host: string; port: number } | undefined {
    const service = webhook.clientConfig.service;
    if (!service) return undefined;
    const key = `${service.namespace}/${service.name}`;
    const object = this.store.get('/services', key) as any;
    if (!object) throw new Error(`service "${service.name}" not found`);
    const port = (object.spec?.ports ?? []).find(
      (p: any) => p.port === (service.port ?? 443),
    );
    const endpoints = this.store.get('/endpoints', key) as any;
    for (const subset of endpoints?.subsets ?? []) {
      const target = (subset.ports ?? []).find(
        (p: any) => !port?.name || p.name === port.name,
      );
      const address = subset.addresses?.[0]?.ip;
      if (target && address) return { host: address, port: target.port };
    }
    throw new Error(`no endpoints available for service "${service.name}"`);
  }
}
