/**
 * Gitea/Forgejo webhooks for Backstage's events backend, in the shape of
 * `@backstage/plugin-events-backend-module-github`.
 *
 * @packageDocumentation
 */
import { createBackendFeatureLoader } from '@backstage/backend-plugin-api';
import {
  eventsModuleGiteaEventRouter,
  eventsModuleGiteaWebhook,
} from './module';

export default createBackendFeatureLoader({
  loader() {
    return [eventsModuleGiteaEventRouter, eventsModuleGiteaWebhook];
  },
});
export { GiteaEventRouter } from './GiteaEventRouter';
export {
  createGiteaSignatureValidator,
  isValidGiteaSignature,
  GITEA_WEBHOOK_SECRET_KEY,
} from './giteaSignatureValidator';
