export { DeliveryStore } from './DeliveryStore';
export { DeliveryChanges } from './DeliveryChanges';
export { TriggeredRuns } from './TriggeredRuns';
export { WebhookDeliveries, WEBHOOK_TOPICS } from './WebhookDeliveries';
export { AuthorizedWebhookDeliveries } from './AuthorizedWebhookDeliveries';
export { addWebhookRoutes } from './routes';
export { readWebhooksConfig } from './config';
