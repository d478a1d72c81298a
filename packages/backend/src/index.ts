/*
 * Cairn's portal backend (new backend system). Cairn's own backend plugins
 * are added here with one `backend.add(import('<package>'))` line each.
 */
import { createBackend } from '@backstage/backend-defaults';
import { cairnRootHttpRouterServiceFactory } from './rootHttpRouter';

const backend = createBackend();

// Guest and demo ops sign-in only from this machine; JSON bodies for unknown API routes.
backend.add(cairnRootHttpRouterServiceFactory);

// Serves the built frontend in production (app.baseUrl = backend.baseUrl).
backend.add(import('@backstage/plugin-app-backend'));
backend.add(import('@backstage/plugin-proxy-backend'));

// Sign-in: guest and "Ops (demo)" for local use, GitHub when configured (see README).
backend.add(import('@backstage/plugin-auth-backend'));
backend.add(import('@backstage/plugin-auth-backend-module-guest-provider'));
backend.add(import('@cairn/plugin-auth-backend-module-demo-ops-provider'));
backend.add(import('@backstage/plugin-auth-backend-module-github-provider'));

backend.add(import('@backstage/plugin-catalog-backend'));
backend.add(import('@backstage/plugin-catalog-backend-module-logs'));

// Permissions are decided by Cairn's policy: catalog ownership and groups.
backend.add(import('@backstage/plugin-permission-backend'));
backend.add(import('@cairn/plugin-permission-backend-module-cairn'));

// Search: PostgreSQL's full-text engine when the database is PostgreSQL,
// the in-memory Lunr engine otherwise.
backend.add(import('@backstage/plugin-search-backend'));
backend.add(import('@backstage/plugin-search-backend-module-pg'));
backend.add(import('@backstage/plugin-search-backend-module-catalog'));
backend.add(import('@cairn/plugin-template-store-backend/search'));

backend.add(import('@backstage/plugin-kubernetes-backend'));

// Cairn: Tekton pipelines of catalog entities.
backend.add(import('@cairn/plugin-pipelines-backend'));
// Cairn: the template store of Tekton Tasks, Pipelines and StepActions.
backend.add(import('@cairn/plugin-template-store-backend'));
// Cairn: Stones of catalog entities, stage approvals and staged updates.
backend.add(import('@cairn/plugin-rollouts-backend'));
backend.add(import('@cairn/plugin-debug-terminal-backend'));
backend.add(import('@cairn/plugin-environments-backend'));

// Webhook receivers (POST /api/events/http/<topic>) feed the events bus.
backend.add(import('@backstage/plugin-events-backend'));
// Git webhooks, each verified with its provider's secret (see app-config.yaml,
// events.modules) and routed to <provider>.<event> topics.
backend.add(import('@backstage/plugin-events-backend-module-github'));
backend.add(import('@backstage/plugin-events-backend-module-gitlab'));
backend.add(import('@cairn/plugin-events-backend-module-gitea'));
// The ingress answers a body that is not JSON with a 400, and a 2xx only once
// every subscriber (the Pipelines delivery log) took the event: 503 otherwise,
// so the Git server retries.
backend.add(import('@cairn/plugin-events-backend-module-http-ingress'));

backend.add(import('@backstage/plugin-user-settings-backend'));
backend.add(import('@backstage/plugin-notifications-backend'));
backend.add(import('@backstage/plugin-signals-backend'));

backend.start();
