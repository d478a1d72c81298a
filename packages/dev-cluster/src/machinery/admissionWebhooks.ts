import type { V1LabelSelector } from '@kubernetes/client-node';
import { FieldError, fieldErrors, FieldPath } from './errors';
import { labelSelectorMatcher, validateLabelSelector } from './labels';

/*
 * MutatingWebhookConfiguration (admissionregistration.k8s.io/v1) as
 * kube-apiserver defaults, validates and matches it: which webhooks a
 * request is sent to, and the words of its refusals. The calls themselves
 * are in server/admissionWebhooks.ts.
 */

export interface WebhookRule {
  apiGroups?: string[];
  apiVersions?: string[];
  operations?: string[];
  resources?: string[];
  scope?: string;
}

export interface MutatingWebhook {
  name: string;
  admissionReviewVersions?: string[];
  clientConfig: {
    url?: string;
    service?: { namespace: string; name: string; path?: string; port?: number };
    caBundle?: string;
  };
  rules?: WebhookRule[];
  failurePolicy?: 'Fail' | 'Ignore';
  matchPolicy?: 'Exact' | 'Equivalent';
  namespaceSelector?: V1LabelSelector;
  objectSelector?: V1LabelSelector;
  sideEffects?: string;
  timeoutSeconds?: number;
  reinvocationPolicy?: 'Never' | 'IfNeeded';
}

/** Fills in kube-apiserver's v1 defaults, in place. */
export function defaultMutatingWebhooks(object: {
  webhooks?: MutatingWebhook[];
}): void {
  for (const webhook of object.webhooks ?? []) {
    webhook.failurePolicy ??= 'Fail';
    webhook.matchPolicy ??= 'Equivalent';
    webhook.namespaceSelector ??= {};
    webhook.objectSelector ??= {};
    webhook.timeoutSeconds ??= 10;
    webhook.reinvocationPolicy ??= 'Never';
    for (const rule of webhook.rules ?? []) rule.scope ??= '*';
    if (webhook.clientConfig?.service)
      webhook.clientConfig.service.port ??= 443;
  }
}

const OPERATIONS = ['*', 'CREATE', 'UPDATE', 'DELETE', 'CONNECT'];
const SIDE_EFFECTS = ['None', 'NoneOnDryRun'];
const DOMAIN =
  /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** The field errors kube-apiserver refuses a (defaulted) v1 configuration with. */
export function validateMutatingWebhooks(object: {
  webhooks?: MutatingWebhook[];
}): FieldError[] {
  const errors: FieldError[] = [];
  const names = new Set<string>();
  (object.webhooks ?? []).forEach((webhook, i) => {
    const at = FieldPath.of('webhooks').index(i);
    if (!webhook.name) errors.push(fieldErrors.required(at.child('name')));
    else if (!DOMAIN.test(webhook.name) || webhook.name.split('.').length < 3)
      errors.push(
        fieldErrors.invalid(
          at.child('name'),
          webhook.name,
          'should be a domain with at least three segments separated by dots',
        ),
      );
    else if (names.has(webhook.name))
      errors.push(fieldErrors.duplicate(at.child('name'), webhook.name));
    names.add(webhook.name);
    const versions = webhook.admissionReviewVersions ?? [];
    if (!versions.length)
      errors.push(
        fieldErrors.required(
          at.child('admissionReviewVersions'),
          'must specify one of v1, v1beta1',
        ),
      );
    else if (!versions.includes('v1') && !versions.includes('v1beta1'))
      errors.push(
        fieldErrors.invalid(
          at.child('admissionReviewVersions'),
          versions,
          'must include at least one of v1, v1beta1',
        ),
      );
    if (!webhook.sideEffects)
      errors.push(
        fieldErrors.required(
          at.child('sideEffects'),
          'must specify one of None, NoneOnDryRun',
        ),
      );
    else if (!SIDE_EFFECTS.includes(webhook.sideEffects))
      errors.push(
        fieldErrors.notSupported(
          at.child('sideEffects'),
          webhook.sideEffects,
          SIDE_EFFECTS,
        ),
      );
    if (!['Fail', 'Ignore'].includes(webhook.failurePolicy!))
      errors.push(
        fieldErrors.notSupported(
          at.child('failurePolicy'),
          webhook.failurePolicy,
          ['Fail', 'Ignore'],
        ),
      );
    if (!['Never', 'IfNeeded'].includes(webhook.reinvocationPolicy!))
      errors.push(
        fieldErrors.notSupported(
          at.child('reinvocationPolicy'),
          webhook.reinvocationPolicy,
          ['IfNeeded', 'Never'],
        ),
      );
    const timeout = webhook.timeoutSeconds!;
    if (!Number.isInteger(timeout) || timeout < 1 || timeout > 30)
      errors.push(
        fieldErrors.invalid(
          at.child('timeoutSeconds'),
          timeout,
          'the timeout value must be between 1 and 30 seconds',
        ),
      );
    const { url, service } = webhook.clientConfig ?? {};
    if (!url === !service)
      errors.push(
        fieldErrors.required(
          at.child('clientConfig'),
          'exactly one of url or service is required',
        ),
      );
    if (url !== undefined) {
      let protocol: string | undefined;
      try {
        protocol = new URL(url).protocol;
      } catch {
        protocol = undefined;
      }
      if (protocol !== 'https:')
        errors.push(
          fieldErrors.invalid(
            at.child('clientConfig', 'url'),
            url,
            "'https' is the only allowed URL scheme",
          ),
        );
    }
    if (service && (!service.name || !service.namespace))
      errors.push(
        fieldErrors.required(
          at.child(
            'clientConfig',
            'service',
            service.name ? 'namespace' : 'name',
          ),
        ),
      );
    (webhook.rules ?? []).forEach((rule, j) => {
      const ruleAt = at.child('rules').index(j);
      for (const op of rule.operations ?? [])
        if (!OPERATIONS.includes(op))
          errors.push(
            fieldErrors.notSupported(
              ruleAt.child('operations'),
              op,
              OPERATIONS.slice(1),
            ),
          );
      if (!['*', 'Cluster', 'Namespaced'].includes(rule.scope!))
        errors.push(
          fieldErrors.notSupported(ruleAt.child('scope'), rule.scope, [
            '*',
            'Cluster',
            'Namespaced',
          ]),
        );
    });
    for (const selector of ['namespaceSelector', 'objectSelector'] as const)
      errors.push(
        ...validateLabelSelector(webhook[selector], at.child(selector)),
      );
  });
  return errors;
}

/** What a webhook is matched against. */
export interface WebhookRequest {
  operation: string;
  group: string;
  version: string;
  /** The plural, with `/subresource` for a subresource. */
  resource: string;
  namespaced: boolean;
  /** The object's labels (the new object; the old one for DELETE). */
  objectLabels: Record<string, string>;
  /**
   * The labels of the request's namespace (of the Namespace itself for a
   * Namespace); undefined for cluster-scoped objects, which namespaceSelector
   * never filters.
   */
  namespaceLabels?: Record<string, string>;
}

const listed = (values: string[] | undefined, value: string) =>
  (values ?? []).some(v => v === '*' || v === value);

function resourceListed(resources: string[] | undefined, resource: string) {
  const [plural, sub] = resource.split('/');
  return (resources ?? []).some(entry => {
    if (entry === '*/*') return true;
    const [p, s] = entry.split('/');
    if (s === undefined) return !sub && (p === '*' || p === plural);
    return (
      sub !== undefined &&
      (p === '*' || p === plural) &&
      (s === '*' || s === sub)
    );
  });
}

/** Whether a rule lists the request (apiGroups, apiVersions, operations, resources, scope). */
export function ruleMatches(
  rule: WebhookRule,
  request: WebhookRequest,
): boolean {
  const scope = rule.scope ?? '*';
  return (
    listed(rule.operations, request.operation) &&
    listed(rule.apiGroups, request.group) &&
    listed(rule.apiVersions, request.version) &&
    resourceListed(rule.resources, request.resource) &&
    (scope === '*' || (scope === 'Namespaced') === request.namespaced)
  );
}

/** Whether the request is sent to the webhook: a rule lists it, and both selectors select it. */
export function webhookMatches(
  webhook: MutatingWebhook,
  request: WebhookRequest,
): boolean {
  if (!(webhook.rules ?? []).some(rule => ruleMatches(rule, request)))
    return false;
  if (!labelSelectorMatcher(webhook.objectSelector ?? {})(request.objectLabels))
    return false;
  return (
    request.namespaceLabels === undefined ||
    labelSelectorMatcher(webhook.namespaceSelector ?? {})(
      request.namespaceLabels,
    )
  );
}

/** A webhook's refusal, in kube-apiserver's words (webhookerrors.ToStatusErr). */
export function webhookDenial(
  name: string,
  result: { code?: number; message?: string; reason?: string } | undefined,
): { code: number; reason: string; message: string } {
  const deniedBy = `admission webhook "${name}" denied the request`;
  const code = result?.code && result.code >= 400 ? result.code : 400;
  const why = result?.message || result?.reason;
  const message = why
    ? `${deniedBy}: ${why}`
    : `${deniedBy} without explanation`;
  return { code, reason: result?.reason ?? '', message };
}

/** The reason a call failed, as Go's net/http and crypto/tls word it. */
export function callFailureReason(
  error: NodeJS.ErrnoException & { host?: string },
  url: string,
  timeoutSeconds: number,
): string {
  const target = `Post "${url}?timeout=${timeoutSeconds}s"`;
  const { host, port } = new URL(url);
  const address = `${host.replace(/:\d+$/, '')}:${port || 443}`;
  switch (error.code) {
    case 'ECONNREFUSED':
      return `${target}: dial tcp ${address}: connect: connection refused`;
    case 'ETIMEDOUT':
      return `${target}: context deadline exceeded`;
    case 'ENOTFOUND':
      return `${target}: dial tcp: lookup ${
        new URL(url).hostname
      }: no such host`;
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'SELF_SIGNED_CERT_IN_CHAIN':
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
    case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
      return `${target}: tls: failed to verify certificate: x509: certificate signed by unknown authority`;
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
      return `${target}: tls: failed to verify certificate: x509: certificate is not valid for ${
        new URL(url).hostname
      }`;
    default:
      return `${target}: ${error.message}`;
  }
}

/** The 500 of a failed call under failurePolicy Fail. */
export function webhookCallFailure(name: string, reason: string): string {
  return `failed calling webhook "${name}": failed to call webhook: ${reason}`;
}
