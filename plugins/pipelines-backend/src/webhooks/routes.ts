import { HttpAuthService } from '@backstage/backend-plugin-api';
import {
  webhookDeliveriesQuerySchema,
  webhookDeliveryPathSchema,
} from '@cairn/plugin-pipelines-common';
import { Request } from 'express';
import Router from 'express-promise-router';
import { parseInput } from '../service/schemas';
import { AuthorizedWebhookDeliveries } from './AuthorizedWebhookDeliveries';

/** The delivery log's routes, for signed-in users only. */
export function addWebhookRoutes(
  router: ReturnType<typeof Router>,
  options: {
    webhooks: AuthorizedWebhookDeliveries;
    httpAuth: HttpAuthService;
  },
): void {
  const { webhooks, httpAuth } = options;
  const userCaller = async (req: Request) => ({
    credentials: await httpAuth.credentials(req, { allow: ['user'] }),
    request: req,
  });

  router.get('/webhooks/deliveries', async (req, res) => {
    const query = parseInput(webhookDeliveriesQuerySchema, req.query, 'query');
    res.json({ items: await webhooks.list(query, await userCaller(req)) });
  });

  router.post('/webhooks/deliveries/:id/redeliver', async (req, res) => {
    const { id } = parseInput(webhookDeliveryPathSchema, req.params, 'path');
    res.status(201).json(await webhooks.redeliver(id, await userCaller(req)));
  });
}
