export { WebhooksContent } from './WebhooksContent';
export { WebhookDeliveriesTable } from './WebhookDeliveriesTable';
export { WebhookSetupPanel } from './WebhookSetupPanel';
