import {
  createEnvironmentRequestBodySchema,
  decideEnvironmentRequestBodySchema,
  emptyQuerySchema,
  ENVIRONMENT_REQUEST_KINDS,
  ENVIRONMENT_REQUEST_STATES,
  ENVIRONMENT_REQUESTS_API_ROUTES,
  environmentRequestPathSchema,
  EnvironmentRequestsApiOperation,
  environmentRequestsQuerySchema,
} from '@cairn/plugin-environments-common';
import {
  objectSchema as object,
  RoutedOperation,
  schemaRef as ref,
  typed as s,
} from '@cairn/backend-openapi';

/*
 * The requests part of the environments API: environments-common's routes
 * with the schemas their inputs are parsed with, merged into the one
 * document and router of the plugin (openapi.ts, router.ts).
 */

const request = (status: number, description: string) => ({
  status,
  description,
  schema: ref('EnvironmentRequest'),
});

/** The request operations, served and documented with the others. */
export const REQUEST_OPERATIONS = {
  createRequest: {
    ...ENVIRONMENT_REQUESTS_API_ROUTES.createRequest,
    query: emptyQuerySchema,
    body: createEnvironmentRequestBodySchema,
    auditEventId: 'environment-request-create',
    success: request(201, 'The request, pending; ops are notified'),
  },
  listRequests: {
    ...ENVIRONMENT_REQUESTS_API_ROUTES.listRequests,
    query: environmentRequestsQuerySchema,
    success: {
      status: 200,
      description: 'The requests, and whether the caller may decide them',
      schema: object(
        {
          items: { type: 'array', items: ref('EnvironmentRequest') },
          canDecide: s('boolean'),
        },
        ['items', 'canDecide'],
      ),
    },
  },
  getRequest: {
    ...ENVIRONMENT_REQUESTS_API_ROUTES.getRequest,
    pathParams: environmentRequestPathSchema,
    query: emptyQuerySchema,
    success: request(200, 'The request'),
  },
  approveRequest: {
    ...ENVIRONMENT_REQUESTS_API_ROUTES.approveRequest,
    pathParams: environmentRequestPathSchema,
    query: emptyQuerySchema,
    body: decideEnvironmentRequestBodySchema,
    auditEventId: 'environment-request-approve',
    success: request(
      200,
      'The request, approved: its change is in the cluster (a failure leaves it pending with the reason)',
    ),
  },
  rejectRequest: {
    ...ENVIRONMENT_REQUESTS_API_ROUTES.rejectRequest,
    pathParams: environmentRequestPathSchema,
    query: emptyQuerySchema,
    body: decideEnvironmentRequestBodySchema,
    auditEventId: 'environment-request-reject',
    success: request(200, 'The request, rejected'),
  },
} satisfies Record<EnvironmentRequestsApiOperation, RoutedOperation>;

const strings = { type: 'array', items: s('string') };
const resourceList = s('object', { additionalProperties: s('string') });

/** The schemas the request operations' responses refer to. */
export const REQUEST_COMPONENTS = {
  EnvironmentRequest: object(
    {
      id: s('string', { format: 'uuid' }),
      kind: s('string', { enum: [...ENVIRONMENT_REQUEST_KINDS] }),
      cluster: s('string'),
      environment: s('string'),
      namespace: s('string'),
      group: s('string'),
      spec: object(
        {
          namespace: s('string'),
          owner: s('string'),
          placement: object(
            { zones: strings, racks: strings, hosts: strings },
            [],
          ),
          storageClasses: strings,
          quota: resourceList,
        },
        ['namespace', 'owner'],
      ),
      quota: resourceList,
      currentQuota: resourceList,
      reason: s('string'),
      requestedBy: s('string'),
      requestedAt: s('string', { format: 'date-time' }),
      state: s('string', { enum: [...ENVIRONMENT_REQUEST_STATES] }),
      decidedBy: s('string'),
      decidedAt: s('string', { format: 'date-time' }),
      comment: s('string'),
      error: s('string'),
    },
    [
      'id',
      'kind',
      'cluster',
      'environment',
      'namespace',
      'group',
      'reason',
      'requestedBy',
      'requestedAt',
      'state',
    ],
  ),
};
