import type {
  AdmissionregistrationV1WebhookClientConfig,
  V1MutatingWebhookConfiguration,
} from '@kubernetes/client-node';
import { LABEL_ENVIRONMENT } from './constants';

/*
 * The MutatingWebhookConfiguration the manager registers when placement is
 * enforced by its webhook: pods created in namespaces labelled with an
 * Environment are sent to it, and nothing else is (namespaceSelector), so a
 * webhook that is down holds up only environments' pods.
 */

/** The configuration's name, and its one webhook's. @public */
export const PLACEMENT_WEBHOOK_CONFIGURATION = 'cairn-environment-placement';
/** @public */
export const PLACEMENT_WEBHOOK_NAME = 'placement.tenancy.cairn.dev';
/** The path the manager serves the webhook at. @public */
export const PLACEMENT_WEBHOOK_PATH = '/mutate-v1-pod';

/** @public */
export interface PlacementWebhookOptions {
  /** Where the API server calls: a Service (`{service: {namespace, name, port, path}}`) or a `url`, without the CA. */
  clientConfig: Omit<AdmissionregistrationV1WebhookClientConfig, 'caBundle'>;
  /** The PEM of the CA that signed the serving certificate. */
  caPem: string;
  /** `Fail` (the default: a pod is never placed unchecked) or `Ignore`. */
  failurePolicy?: 'Fail' | 'Ignore';
  /** 1–30; default 10, as Kubernetes'. */
  timeoutSeconds?: number;
}

/** The MutatingWebhookConfiguration for placement. @public */
export function placementWebhookConfiguration(
  options: PlacementWebhookOptions,
): V1MutatingWebhookConfiguration {
  return {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'MutatingWebhookConfiguration',
    metadata: {
      name: PLACEMENT_WEBHOOK_CONFIGURATION,
      labels: { 'app.kubernetes.io/part-of': 'cairn' },
    },
    webhooks: [
      {
        name: PLACEMENT_WEBHOOK_NAME,
        admissionReviewVersions: ['v1'],
        clientConfig: {
          ...options.clientConfig,
          // btoa, not Buffer: this library is browser-safe (PEM is ASCII).
          caBundle: btoa(options.caPem),
        },
        rules: [
          {
            apiGroups: [''],
            apiVersions: ['v1'],
            operations: ['CREATE'],
            resources: ['pods'],
            scope: 'Namespaced',
          },
        ],
        namespaceSelector: {
          matchExpressions: [{ key: LABEL_ENVIRONMENT, operator: 'Exists' }],
        },
        failurePolicy: options.failurePolicy ?? 'Fail',
        matchPolicy: 'Equivalent',
        sideEffects: 'None',
        timeoutSeconds: options.timeoutSeconds ?? 10,
        // Another webhook's later change to the pod's affinity gets the
        // placement ANDed in again.
        reinvocationPolicy: 'IfNeeded',
      },
    ],
  };
}
