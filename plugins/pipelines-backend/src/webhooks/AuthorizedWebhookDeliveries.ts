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
    const ops = await this.isOps(caller.credentials);
    const listed = await this.options.store.list({ ...filters, kubernetesId });
    if (ops) return listed.map(d => summary(d, true));
    const owned = await this.ownedKubernetesIds(caller.credentials, [
      ...new Set(listed.flatMap(kubernetesIdsOf)),
    ]);
    return listed
      .filter(d => kubernetesIdsOf(d).some(id => owned.has(id)))
      .map(d => summary(d, false));
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
