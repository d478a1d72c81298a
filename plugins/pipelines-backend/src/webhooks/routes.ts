import {
  AuditorService,
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { NotAllowedError, NotFoundError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  KUBERNETES_ID_ANNOTATION,
  pipelinesRunCreatePermission,
  pipelinesWebhookManagePermission,
  webhookDeliveriesQuerySchema,
  webhookDeliveryPathSchema,
  WebhookDeliverySummary,
} from '@cairn/plugin-pipelines-common';
import { Request } from 'express';
import Router from 'express-promise-router';
import { parseInput } from '../service/schemas';
import { DeliveryStore, StoredDelivery } from './DeliveryStore';
import { WebhookDeliveries } from './WebhookDeliveries';

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
 * The delivery log: ops see every delivery with its payload and may
 * redeliver; others see the deliveries that matched Pipelines of entities
 * they own (whose runs they may start), without payloads.
 */
export function addWebhookRoutes(
  router: ReturnType<typeof Router>,
  options: {
    deliveries: WebhookDeliveries;
    store: DeliveryStore;
    catalog: CatalogService;
    httpAuth: HttpAuthService;
    permissions: PermissionsService;
    auditor: AuditorService;
  },
): void {
  const { deliveries, store, catalog, httpAuth, permissions, auditor } =
    options;

  async function isOps(req: Request) {
    const credentials = await httpAuth.credentials(req, { allow: ['user'] });
    const [decision] = await permissions.authorize(
      [{ permission: pipelinesWebhookManagePermission }],
      { credentials },
    );
    return { credentials, ops: decision.result === AuthorizeResult.ALLOW };
  }

  /** The kubernetes-ids of the entities whose runs the caller may start. */
  async function ownedKubernetesIds(
    credentials: Awaited<ReturnType<HttpAuthService['credentials']>>,
    kubernetesIds: string[],
  ): Promise<Set<string>> {
    if (kubernetesIds.length === 0) return new Set();
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

  router.get('/webhooks/deliveries', async (req, res) => {
    const query = parseInput(webhookDeliveriesQuerySchema, req.query, 'query');
    const { credentials, ops } = await isOps(req);
    const listed = await store.list(query);
    if (ops) {
      res.json({ items: listed.map(d => summary(d, true)) });
      return;
    }
    const idsOf = (d: StoredDelivery) =>
      d.matches.flatMap(m => (m.kubernetesId ? [m.kubernetesId] : []));
    const owned = await ownedKubernetesIds(credentials, [
      ...new Set(listed.flatMap(idsOf)),
    ]);
    res.json({
      items: listed
        .filter(d => idsOf(d).some(id => owned.has(id)))
        .map(d => summary(d, false)),
    });
  });

  router.post('/webhooks/deliveries/:id/redeliver', async (req, res) => {
    const { id } = parseInput(webhookDeliveryPathSchema, req.params, 'path');
    const event = await auditor.createEvent({
      eventId: 'webhook-redeliver',
      severityLevel: 'medium',
      request: req,
      meta: { deliveryId: id },
    });
    try {
      const { ops } = await isOps(req);
      if (!ops) {
        throw new NotAllowedError(
          `you may not redeliver webhook deliveries (permission ${pipelinesWebhookManagePermission.name}); ask the ops group`,
        );
      }
      const redelivered = await deliveries.redeliver(id);
      if (!redelivered) {
        throw new NotFoundError(`webhook delivery ${id} is not in the log`);
      }
      await event.success({
        meta: { redeliveryId: redelivered.id, outcome: redelivered.outcome },
      });
      res.status(201).json(summary(redelivered, true));
    } catch (error) {
      await event.fail({ error: error as Error });
      throw error;
    }
  });
}
