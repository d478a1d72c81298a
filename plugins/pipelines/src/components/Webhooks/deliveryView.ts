import type {
  WebhookDeliveryOutcome,
  WebhookDeliverySummary,
} from '@cairn/plugin-pipelines-common';

/** How the deliveries page names each outcome. */
export const OUTCOME_LABELS: Record<WebhookDeliveryOutcome, string> = {
  pending: 'Pending',
  'runs-created': 'Runs created',
  'no-match': 'No match',
  ignored: 'Ignored',
  refused: 'Refused',
  error: 'Error',
};

/** A ref as people say it: `main`, `tag v1.2`, the ref itself otherwise. */
export function describeRef(ref: string | undefined): string | undefined {
  if (!ref) return undefined;
  if (ref.startsWith('refs/heads/')) return ref.slice('refs/heads/'.length);
  if (ref.startsWith('refs/tags/'))
    return `tag ${ref.slice('refs/tags/'.length)}`;
  return ref;
}

/**
 * Why nothing (or not everything) was started, when the outcome says so:
 * refused, error, no match and ignored carry the reason; created runs carry
 * it only when some Pipelines failed.
 */
export function refusalReason(
  delivery: WebhookDeliverySummary,
): string | undefined {
  return delivery.outcome === 'pending' ? undefined : delivery.reason;
}

/** The kubernetes-ids a delivery's runs belong to, to find their entities. */
export function runKubernetesIds(
  deliveries: WebhookDeliverySummary[],
): string[] {
  return [
    ...new Set(
      deliveries.flatMap(d =>
        d.runs.flatMap(r => (r.kubernetesId ? [r.kubernetesId] : [])),
      ),
    ),
  ].sort();
}
