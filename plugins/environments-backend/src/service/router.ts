import { AuditorService, HttpAuthService } from '@backstage/backend-plugin-api';
import {
  createOperationsRouter,
  OperationHandler,
} from '@cairn/backend-openapi';
import {
  EnvironmentRequestsApiOperation,
  EnvironmentsApiOperation,
} from '@cairn/plugin-environments-common';
import express from 'express';
import { AuthorizedEnvironmentsService } from './AuthorizedEnvironmentsService';
import { API_OPERATIONS, buildOpenApiDocument } from './openapi';
import { AuthorizedEnvironmentRequestsService } from './AuthorizedEnvironmentRequestsService';
import { REQUEST_OPERATIONS } from './requestsOpenapi';

/** Dependencies of {@link createRouter}. */
export interface RouterOptions {
  environments: AuthorizedEnvironmentsService;
  requests: AuthorizedEnvironmentRequestsService;
  httpAuth: HttpAuthService;
  auditor: AuditorService;
}

/**
 * The environments REST API: each operation of API_OPERATIONS parsed with
 * its schemas and passed to the authorized service (which checks
 * permissions); every change is audited, allowed or denied.
 */
export async function createRouter(
  options: RouterOptions,
): Promise<express.Router> {
  const { environments, requests, httpAuth, auditor } = options;
  const handlers: Record<EnvironmentsApiOperation, OperationHandler> = {
    listEnvironments: ({ query }, caller) => environments.list(caller, query),
    getEnvironment: ({ params }, caller) => environments.get(caller, params),
    createEnvironment: ({ params, body }, caller) =>
      environments.create(caller, params, body),
    updateEnvironment: ({ params, body }, caller) =>
      environments.update(caller, params, body),
    deleteEnvironment: ({ params }, caller) =>
      environments.delete(caller, params),
    listClusters: (_, caller) => environments.listClusters(caller),
    getTopology: ({ params }, caller) => environments.topology(caller, params),
    labelNodes: ({ params, body }, caller) =>
      environments.labelNodes(caller, params, body),
    importNodeLabels: ({ params, body }, caller) =>
      environments.importNodeLabels(caller, params, body),
  };
  const requestHandlers: Record<
    EnvironmentRequestsApiOperation,
    OperationHandler
  > = {
    createRequest: ({ body }, caller) => requests.create(caller, body),
    listRequests: ({ query }, caller) => requests.list(caller, query),
    getRequest: ({ params }, caller) => requests.get(caller, params),
    approveRequest: ({ params, body }, caller) =>
      requests.approve(caller, params, body),
    rejectRequest: ({ params, body }, caller) =>
      requests.reject(caller, params, body),
  };
  return createOperationsRouter({
    operations: { ...API_OPERATIONS, ...REQUEST_OPERATIONS },
    handlers: { ...handlers, ...requestHandlers },
    document: buildOpenApiDocument(),
    httpAuth,
    auditor,
    jsonLimit: '1mb',
  });
}
