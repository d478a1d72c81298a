import { randomUUID } from 'node:crypto';
import { LoggerService } from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import { EventParams } from '@backstage/plugin-events-node';
import {
  ClusterPipeline,
  deliveryIdOf,
  DELIVERY_ID_HEADERS,
  EVENT_HEADERS,
  eventNameOf,
  GIT_PROVIDERS,
  GitProvider,
  matchDelivery,
  readDelivery,
  TRIGGER_ANNOTATIONS,
  WebhookDeliveryMatch,
  WebhookDeliveryRun,
} from '@cairn/plugin-pipelines-common';
import { KUBERNETES_ID_ANNOTATION } from '@cairn/plugin-kubernetes-common';
import { TektonWatches } from '../watch';
import {
  DeliveryResult,
  DeliveryStore,
  NewDelivery,
  StoredDelivery,
} from './DeliveryStore';
import { DeliveryChanges } from './DeliveryChanges';
import { TriggeredRuns } from './TriggeredRuns';

/** The events topics the events backend publishes webhook deliveries on. */
export const WEBHOOK_TOPICS: readonly GitProvider[] = GIT_PROVIDERS;

/** How long a delivery waits for a cluster's first list of Pipelines. */
const SYNC_TIMEOUT_MS = 30_000;

type Headers = Record<string, string | string[] | undefined>;

/** The headers kept with a delivery: what reading it needs, no secrets. */
function keptHeaders(provider: GitProvider, headers: Headers) {
  const kept: Record<string, string> = {};
  for (const name of [
    ...DELIVERY_ID_HEADERS[provider],
    ...EVENT_HEADERS[provider],
    'x-gitea-event-type',
    'content-type',
  ]) {
    const value = headers[name];
    if (value !== undefined) kept[name] = String(value);
  }
  return kept;
}

/** A delivery just stored, as the store would read it back. */
const asStored = (delivery: NewDelivery): StoredDelivery => ({
  ...delivery,
  outcome: 'pending',
  runs: [],
  matches: [],
  processed: false,
  duplicates: 0,
});

/**
 * Webhook deliveries from the events backend to PipelineRuns: each is
 * stored first (the events backend awaits this before its 2xx), then
 * matched against the watched Pipelines' trigger annotations and turned
 * into runs. The stored id makes a replay a duplicate; the runs' delivery-id
 * label makes a second processing (after a crash) find its runs.
 */
export class WebhookDeliveries {
  private readonly processing = new Set<Promise<void>>();

  constructor(
    private readonly options: {
      store: DeliveryStore;
      watches: TektonWatches;
      runs: TriggeredRuns;
      config: Config;
      logger: LoggerService;
      /** Told of each delivery stored and each outcome, for open pages. */
      changes?: DeliveryChanges;
    },
  ) {}

  /**
   * Whether the events backend verified the provider's deliveries: GitHub's
   * and GitLab's modules only check a signature when a secret is set.
   */
  private isVerified(provider: GitProvider): boolean {
    return Boolean(
      this.options.config.getOptionalString(
        `events.modules.${provider}.webhookSecret`,
      ),
    );
  }

  /** Stores an event of a webhook topic, then processes it in the background. */
  async receive(event: EventParams): Promise<void> {
    const provider = event.topic as GitProvider;
    if (!WEBHOOK_TOPICS.includes(provider)) return;
    const headers = (event.metadata ?? {}) as Headers;
    // Without an id it cannot be deduplicated; it is kept (and refused) under
    // an id of its own so the log shows it.
    const deliveryId =
      deliveryIdOf(provider, headers) ?? `missing-id-${randomUUID()}`;
    const delivery: NewDelivery = {
      id: `${provider}:${deliveryId}`,
      provider,
      deliveryId,
      event: eventNameOf(provider, headers),
      receivedAt: new Date(),
      signatureOk: this.isVerified(provider),
      headers: keptHeaders(provider, headers),
      payload: JSON.stringify(event.eventPayload ?? null),
    };
    if (!(await this.options.store.insert(delivery))) {
      this.options.logger.info(
        `webhook delivery ${delivery.id} was received before; not processed again`,
      );
      return;
    }
    this.options.changes?.changed();
    // Processed from what was stored, and from the payload as the events
    // backend parsed it rather than parsed again from the stored text.
    this.processInBackground(asStored(delivery), event.eventPayload ?? null);
  }

  private processInBackground(
    delivery: StoredDelivery,
    payload: unknown,
  ): void {
    const done = this.process(delivery, payload)
      .catch(error =>
        this.options.logger.error(
          `webhook delivery ${delivery.id} could not be processed: ${error}`,
        ),
      )
      .finally(() => this.processing.delete(done));
    this.processing.add(done);
  }

  /** Waits for the deliveries being processed (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.processing.size > 0) {
      await Promise.all([...this.processing]);
    }
  }

  /** Processes the stored deliveries a stop left unprocessed. */
  async processPending(): Promise<number> {
    let count = 0;
    for (;;) {
      const pending = await this.options.store.unprocessed(50);
      if (pending.length === 0) return count;
      for (const delivery of pending) {
        await this.process(delivery);
        count++;
      }
    }
  }

  /**
   * Processes the stored payload again as a new delivery (`<id>.redelivery-
   * <uuid>`), so the dedupe lets it through and its runs are new.
   */
  async redeliver(id: string): Promise<StoredDelivery | undefined> {
    const original = await this.options.store.get(id);
    if (!original) return undefined;
    const deliveryId = `${original.deliveryId}.redelivery-${randomUUID()}`;
    const newId = `${original.provider}:${deliveryId}`;
    const idHeader = DELIVERY_ID_HEADERS[original.provider][0];
    const again: NewDelivery = {
      id: newId,
      provider: original.provider,
      deliveryId,
      event: original.event,
      receivedAt: new Date(),
      signatureOk: original.signatureOk,
      headers: { ...original.headers, [idHeader]: deliveryId },
      payload: original.payload,
      redeliveryOf: original.id,
    };
    await this.options.store.insert(again);
    this.options.changes?.changed();
    await this.process(asStored(again));
    return this.options.store.get(newId);
  }

  /**
   * Processes a stored delivery (as stored: not read again), its payload
   * parsed from the stored text unless given; a processed one is left alone.
   */
  private async process(
    stored: StoredDelivery,
    payload?: unknown,
  ): Promise<void> {
    if (stored.processed) return;
    const result = await this.evaluate(stored, payload);
    await this.options.store.finish(stored.id, result);
    this.options.changes?.changed();
    this.options.logger.info(
      `webhook delivery ${stored.id}: ${result.outcome}${
        result.reason ? ` (${result.reason})` : ''
      }`,
    );
  }

  private async evaluate(
    stored: StoredDelivery,
    payload?: unknown,
  ): Promise<DeliveryResult> {
    const { provider } = stored;
    if (!stored.signatureOk) {
      return {
        outcome: 'refused',
        reason: `events.modules.${provider}.webhookSecret is not configured, so the delivery was not verified; unverified deliveries never start runs`,
      };
    }
    let read;
    try {
      read = readDelivery(
        provider,
        stored.headers,
        payload === undefined ? JSON.parse(stored.payload) : payload,
      );
    } catch (error) {
      return { outcome: 'error', reason: (error as Error).message };
    }
    if (read.kind === 'ignored') {
      return { outcome: 'ignored', reason: read.reason };
    }
    const { delivery } = read;
    const where = {
      event: stored.event,
      repository: delivery.repositoryUrl,
      ref: delivery.ref,
    };

    const candidates: ClusterPipeline[] = [];
    const clusterErrors: string[] = [];
    for (const cluster of this.options.watches.clusterNames()) {
      try {
        const caches = await this.options.watches.synced(
          cluster,
          SYNC_TIMEOUT_MS,
          ['pipelines', 'pipelineRuns'],
        );
        for (const pipeline of caches.pipelines.list()) {
          if (pipeline.metadata.annotations?.[TRIGGER_ANNOTATIONS.repository]) {
            candidates.push({ cluster, pipeline });
          }
        }
      } catch (error) {
        clusterErrors.push((error as Error).message);
      }
    }
    const results = matchDelivery(delivery, candidates);
    const matches: WebhookDeliveryMatch[] = results.map(r => ({
      cluster: r.candidate.cluster,
      namespace: r.candidate.pipeline.metadata.namespace ?? '',
      pipeline: r.candidate.pipeline.metadata.name ?? '',
      kubernetesId:
        r.candidate.pipeline.metadata.labels?.[KUBERNETES_ID_ANNOTATION],
      matched: r.matched,
      ...(r.matched ? {} : { reason: r.reason }),
    }));

    const runs: WebhookDeliveryRun[] = [];
    for (const result of results) {
      if (!result.matched) continue;
      const { cluster, pipeline } = result.candidate;
      try {
        runs.push(
          await this.options.runs.start(
            cluster,
            pipeline,
            result.spec,
            delivery,
          ),
        );
      } catch (error) {
        runs.push({
          cluster,
          namespace: pipeline.metadata.namespace ?? '',
          name: '',
          pipeline: pipeline.metadata.name ?? '',
          kubernetesId: pipeline.metadata.labels?.[KUBERNETES_ID_ANNOTATION],
          error: (error as Error).message,
        });
      }
    }
    const created = runs.filter(r => !r.error);
    const failures = [
      ...runs.filter(r => r.error).map(r => `${r.pipeline}: ${r.error}`),
      ...clusterErrors,
    ];
    if (created.length > 0) {
      return {
        ...where,
        outcome: 'runs-created',
        reason: failures.length ? failures.join('; ') : undefined,
        runs,
        matches,
      };
    }
    if (failures.length > 0) {
      return {
        ...where,
        outcome: 'error',
        reason: failures.join('; '),
        runs,
        matches,
      };
    }
    return {
      ...where,
      outcome: 'no-match',
      reason:
        results.length === 0
          ? `no Pipeline declares ${delivery.repositoryUrl} in ${TRIGGER_ANNOTATIONS.repository}`
          : matches
              .map(
                m => `${m.pipeline} (${m.cluster}/${m.namespace}): ${m.reason}`,
              )
              .join('; '),
      matches,
    };
  }
}
