import {
  AuditorService,
  BackstageCredentials,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { NotAllowedError, NotFoundError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { EntityCaller } from '@cairn/plugin-kubernetes-node';
import {
  pipelinesRunCreatePermission,
  pipelinesWebhookManagePermission,
  WebhookDeliveriesQuery,
  WebhookDeliverySummary,
} from '@cairn/plugin-pipelines-common';
import { KUBERNETES_ID_ANNOTATION } from '@cairn/plugin-kubernetes-common';
import { DeliveryStore, StoredDelivery } from './DeliveryStore';
import { WebhookDeliveries } from './WebhookDeliveries';

/** Options of {@link AuthorizedWebhookDeliveries}. */
export interface AuthorizedWebhookDeliveriesOptions {
  deliveries: WebhookDeliveries;
  store: DeliveryStore;
  catalog: CatalogService;
  permissions: PermissionsService;
  auditor: AuditorService;
}

function summary(
  delivery: StoredDelivery,
  withPayload: boolean,
): WebhookDeliverySummary {
  const { payload, processed: _, headers: __, receivedAt, ...rest } = delivery;
  return {
    ...rest,
    receivedAt: receivedAt.toISOString(),
    ...(withPayload ? { payload } : {}),
  };
}

/**
 * How many deliveries a list for someone other than ops reads at most, page
 * by page, looking for theirs among other entities'.
 */
const OWNER_SCAN_LIMIT = 5000;
const OWNER_SCAN_PAGE = 500;

const kubernetesIdsOf = (delivery: StoredDelivery) =>
  delivery.matches.flatMap(m => (m.kubernetesId ? [m.kubernetesId] : []));

/**
 * The delivery log behind the Pipelines permissions: ops
 * (`pipelines.webhook.manage`) see every delivery with its payload and may
 * redeliver; others see the deliveries that matched Pipelines of entities
 * whose runs they may start, without payloads. Redeliveries are audited, a
 * denial as a failed event.
 */
export class AuthorizedWebhookDeliveries {
  constructor(private readonly options: AuthorizedWebhookDeliveriesOptions) {}

  /**
   * The log, newest first; with `entityRef`, the deliveries that met the
   * Pipelines of that entity (by its `backstage.io/kubernetes-id`).
   */
  async list(
    query: WebhookDeliveriesQuery,
    caller: EntityCaller,
  ): Promise<WebhookDeliverySummary[]> {
    const { entityRef, ...filters } = query;
    let kubernetesId: string | undefined;
    if (entityRef) {
      const entity = await this.options.catalog.getEntityByRef(entityRef, {
        credentials: caller.credentials,
      });
      if (!entity) {
        throw new NotFoundError(`entity ${entityRef} is not in the catalog`);
      }
      kubernetesId = entity.metadata.annotations?.[KUBERNETES_ID_ANNOTATION];
      // Pipelines are matched to entities by that label only.
      if (!kubernetesId) return [];
    }
    if (await this.isOps(caller.credentials)) {
      const listed = await this.options.store.list({
        ...filters,
        kubernetesId,
      });
      return listed.map(d => summary(d, true));
    }
    // Others see the deliveries of their entities only: the log is read page
    // by page until `limit` of those are found, so that other entities'
    // deliveries do not crowd theirs out of the newest `limit`.
    const found: StoredDelivery[] = [];
    const owns = new Map<string, boolean>();
    for (
      let offset = 0;
      found.length < filters.limit && offset < OWNER_SCAN_LIMIT;
      offset += OWNER_SCAN_PAGE
    ) {
      const page = await this.options.store.list({
        ...filters,
        kubernetesId,
        limit: OWNER_SCAN_PAGE,
        offset,
      });
      const unknown = [...new Set(page.flatMap(kubernetesIdsOf))].filter(
        id => !owns.has(id),
      );
      const owned = await this.ownedKubernetesIds(caller.credentials, unknown);
      unknown.forEach(id => owns.set(id, owned.has(id)));
      found.push(
        ...page.filter(d => kubernetesIdsOf(d).some(id => owns.get(id))),
      );
      if (page.length < OWNER_SCAN_PAGE) break;
    }
    return found.slice(0, filters.limit).map(d => summary(d, false));
  }

  async redeliver(
    id: string,
    caller: EntityCaller,
  ): Promise<WebhookDeliverySummary> {
    const event = await this.options.auditor.createEvent({
      eventId: 'webhook-redeliver',
      severityLevel: 'medium',
      request: caller.request,
      meta: { deliveryId: id },
    });
    try {
      if (!(await this.isOps(caller.credentials))) {
        throw new NotAllowedError(
          `you may not redeliver webhook deliveries (permission ${pipelinesWebhookManagePermission.name}); ask the ops group`,
        );
      }
      const redelivered = await this.options.deliveries.redeliver(id);
      if (!redelivered) {
        throw new NotFoundError(`webhook delivery ${id} is not in the log`);
      }
      await event.success({
        meta: { redeliveryId: redelivered.id, outcome: redelivered.outcome },
      });
      return summary(redelivered, true);
    } catch (error) {
      await event.fail({ error: error as Error });
      throw error;
    }
  }

  private async isOps(credentials: BackstageCredentials): Promise<boolean> {
    const [decision] = await this.options.permissions.authorize(
      [{ permission: pipelinesWebhookManagePermission }],
      { credentials },
    );
    return decision.result === AuthorizeResult.ALLOW;
  }

  /** The kubernetes-ids of the entities whose runs the caller may start. */
  private async ownedKubernetesIds(
    credentials: BackstageCredentials,
    kubernetesIds: string[],
  ): Promise<Set<string>> {
    if (kubernetesIds.length === 0) return new Set();
    const { catalog, permissions } = this.options;
    const { items } = await catalog.getEntities(
      {
        filter: {
          [`metadata.annotations.${KUBERNETES_ID_ANNOTATION}`]: kubernetesIds,
        },
      },
      { credentials },
    );
    const decisions = await permissions.authorize(
      items.map(entity => ({
        permission: pipelinesRunCreatePermission,
        resourceRef: stringifyEntityRef(entity),
      })),
      { credentials },
    );
    const owned = new Set<string>();
    items.forEach((entity, i) => {
      if (decisions[i].result === AuthorizeResult.ALLOW) {
        owned.add(entity.metadata.annotations![KUBERNETES_ID_ANNOTATION]);
      }
    });
    return owned;
  }
}
