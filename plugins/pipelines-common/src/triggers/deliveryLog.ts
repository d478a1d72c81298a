import { createPermission } from '@backstage/plugin-permission-common';
import type { GitProvider } from './delivery';

/**
 * What came of a delivery: runs created; nothing to do (no Pipeline of the
 * repository matched, or an event that never starts pipelines); refused (no
 * verified signature); an error; or still pending.
 * @public
 */
export type WebhookDeliveryOutcome =
  | 'pending'
  | 'runs-created'
  | 'no-match'
  | 'ignored'
  | 'refused'
  | 'error';

/** @public */
export const WEBHOOK_DELIVERY_OUTCOMES: readonly WebhookDeliveryOutcome[] = [
  'pending',
  'runs-created',
  'no-match',
  'ignored',
  'refused',
  'error',
];

/** A run a delivery created (or found already created for it). @public */
export interface WebhookDeliveryRun {
  cluster: string;
  namespace: string;
  name: string;
  pipeline: string;
  /** The entity's `backstage.io/kubernetes-id`, from the Pipeline's label. */
  kubernetesId?: string;
  /** Set when the run could not be created for this Pipeline. */
  error?: string;
}

/** How one Pipeline of the repository answered a delivery. @public */
export interface WebhookDeliveryMatch {
  cluster: string;
  namespace: string;
  pipeline: string;
  kubernetesId?: string;
  matched: boolean;
  /** Why not, when not matched. */
  reason?: string;
}

/** A delivery in the log, as `GET /webhooks/deliveries` lists it. @public */
export interface WebhookDeliverySummary {
  id: string;
  provider: GitProvider;
  deliveryId: string;
  event?: string;
  repository?: string;
  ref?: string;
  receivedAt: string;
  signatureOk: boolean;
  outcome: WebhookDeliveryOutcome;
  reason?: string;
  runs: WebhookDeliveryRun[];
  matches: WebhookDeliveryMatch[];
  /** How many times the provider sent it again (each one refused). */
  duplicates: number;
  redeliveryOf?: string;
  /** The JSON body as received; for ops only. */
  payload?: string;
}

/**
 * The signal channel on which the pipelines backend tells open pages that
 * webhook deliveries were stored or processed (at most one signal per
 * half second), so they list them again. @public
 */
export const WEBHOOK_DELIVERIES_SIGNAL_CHANNEL = 'pipelines:webhook-deliveries';

/**
 * The message on {@link WEBHOOK_DELIVERIES_SIGNAL_CHANNEL}, sent to every
 * signed-in user: it says only how many deliveries changed, each page
 * lists what its user may see. @public
 */
export interface WebhookDeliveriesChangedSignal {
  /** Deliveries stored or processed since the last signal. */
  changed: number;
}

/**
 * Seeing every delivery with its payload, and redelivering: for ops (no
 * rule but ops' grants an `update` of no resource).
 * @public
 */
export const pipelinesWebhookManagePermission = createPermission({
  name: 'pipelines.webhook.manage',
  attributes: { action: 'update' },
});
