import { DELETION_POLICIES, TENANT_ROLES } from '@cairn/operators-api';
import {
  clusterPathSchema,
  createEnvironmentBodySchema,
  emptyQuerySchema,
  environmentPathSchema,
  ENVIRONMENTS_API_ROUTES,
  EnvironmentsApiOperation,
  environmentsQuerySchema,
  importNodeLabelsBodySchema,
  labelNodesBodySchema,
  updateEnvironmentBodySchema,
} from '@cairn/plugin-environments-common';
import {
  buildOpenApiDocument as buildDocument,
  COMMON_ERROR_RESPONSES,
  CLUSTER_UNAVAILABLE_RESPONSE,
  objectSchema as object,
  typed as s,
  errorResponse,
  RoutedOperation,
  schemaRef as ref,
} from '@cairn/backend-openapi';
import { REQUEST_COMPONENTS, REQUEST_OPERATIONS } from './requestsOpenapi';

/**
 * The environments API: environments-common's routes (method, path,
 * summary) with the schemas their inputs are parsed with; the router serves
 * exactly these and the OpenAPI document is built from them, so the two
 * cannot drift.
 */
export const API_OPERATIONS = {
  listEnvironments: {
    ...ENVIRONMENTS_API_ROUTES.listEnvironments,
    query: environmentsQuerySchema,
    success: {
      status: 200,
      description:
        'The environments, whether the caller may manage them, and the clusters that could not be read',
      schema: ref('EnvironmentList'),
    },
  },
  getEnvironment: {
    ...ENVIRONMENTS_API_ROUTES.getEnvironment,
    pathParams: environmentPathSchema,
    query: emptyQuerySchema,
    success: {
      status: 200,
      description: 'The environment',
      schema: ref('EnvironmentSummary'),
    },
  },
  createEnvironment: {
    ...ENVIRONMENTS_API_ROUTES.createEnvironment,
    pathParams: clusterPathSchema,
    query: emptyQuerySchema,
    body: createEnvironmentBodySchema,
    auditEventId: 'environments-create',
    success: {
      status: 201,
      description: 'The environment as created; the operator does the rest',
      schema: ref('EnvironmentSummary'),
    },
  },
  updateEnvironment: {
    ...ENVIRONMENTS_API_ROUTES.updateEnvironment,
    pathParams: environmentPathSchema,
    query: emptyQuerySchema,
    body: updateEnvironmentBodySchema,
    auditEventId: 'environments-update',
    success: {
      status: 200,
      description: 'The environment as replaced',
      schema: ref('EnvironmentSummary'),
    },
  },
  deleteEnvironment: {
    ...ENVIRONMENTS_API_ROUTES.deleteEnvironment,
    pathParams: environmentPathSchema,
    query: emptyQuerySchema,
    auditEventId: 'environments-delete',
    success: {
      status: 204,
      description: 'Deleted; the operator releases its namespace',
    },
  },
  listClusters: {
    ...ENVIRONMENTS_API_ROUTES.listClusters,
    query: emptyQuerySchema,
    success: {
      status: 200,
      description: 'The configured clusters',
      schema: {
        type: 'object',
        properties: { clusters: { type: 'array', items: { type: 'string' } } },
        required: ['clusters'],
      },
    },
  },
  getTopology: {
    ...ENVIRONMENTS_API_ROUTES.getTopology,
    pathParams: clusterPathSchema,
    query: emptyQuerySchema,
    success: {
      status: 200,
      description: "The cluster's topology",
      schema: ref('ClusterTopology'),
    },
  },
  labelNodes: {
    ...ENVIRONMENTS_API_ROUTES.labelNodes,
    pathParams: clusterPathSchema,
    query: emptyQuerySchema,
    body: labelNodesBodySchema,
    auditEventId: 'nodes-label',
    success: {
      status: 200,
      description: 'The nodes as labelled',
      schema: {
        type: 'object',
        properties: {
          nodes: { type: 'array', items: ref('TopologyNode') },
        },
        required: ['nodes'],
      },
    },
  },
  importNodeLabels: {
    ...ENVIRONMENTS_API_ROUTES.importNodeLabels,
    pathParams: clusterPathSchema,
    query: emptyQuerySchema,
    body: importNodeLabelsBodySchema,
    auditEventId: 'nodes-import-labels',
    success: {
      status: 200,
      description:
        'What was written on each node (nodes with nothing to import are left out)',
      schema: object(
        {
          imported: {
            type: 'array',
            items: object(
              {
                node: s('string'),
                labels: s('object', { additionalProperties: s('string') }),
              },
              ['node', 'labels'],
            ),
          },
        },
        ['imported'],
      ),
    },
  },
} satisfies Record<EnvironmentsApiOperation, RoutedOperation>;

const ERROR_RESPONSES = {
  ...COMMON_ERROR_RESPONSES,
  '404': errorResponse('No such cluster, environment, node or request'),
  '409': errorResponse(
    'The environment changed since it was loaded, or its name or namespace is taken; the request is decided already or asked for again',
  ),
  '503': CLUSTER_UNAVAILABLE_RESPONSE,
};

const strings = { type: 'array', items: s('string') };
const resourceList = s('object', { additionalProperties: s('string') });

const COMPONENTS = {
  EnvironmentSpec: object(
    {
      namespace: s('string'),
      owner: s('string'),
      tenants: {
        type: 'array',
        items: object(
          {
            group: s('string'),
            role: s('string', { enum: [...TENANT_ROLES] }),
          },
          ['group', 'role'],
        ),
      },
      placement: object({ zones: strings, racks: strings, hosts: strings }, []),
      storageClasses: strings,
      quota: resourceList,
      limits: object(
        {
          default: resourceList,
          defaultRequest: resourceList,
          max: resourceList,
        },
        [],
      ),
      deletionPolicy: s('string', { enum: [...DELETION_POLICIES] }),
    },
    ['namespace', 'owner'],
  ),
  EnvironmentSummary: object(
    {
      cluster: s('string'),
      name: s('string'),
      resourceVersion: s('string'),
      generation: s('integer'),
      createdAt: s('string', { format: 'date-time' }),
      spec: ref('EnvironmentSpec'),
      nodes: strings,
      quota: object({ hard: resourceList, used: resourceList }, [
        'hard',
        'used',
      ]),
      conditions: {
        type: 'array',
        items: object(
          {
            type: s('string', { enum: ['Ready', 'PlacementEmpty'] }),
            status: s('string', { enum: ['True', 'False', 'Unknown'] }),
            observedGeneration: s('integer'),
            lastTransitionTime: s('string', { format: 'date-time' }),
            reason: s('string'),
            message: s('string'),
          },
          ['type', 'status', 'lastTransitionTime', 'reason', 'message'],
        ),
      },
      ready: s('boolean'),
      deleting: s('boolean'),
    },
    [
      'cluster',
      'name',
      'resourceVersion',
      'spec',
      'nodes',
      'quota',
      'conditions',
      'ready',
      'deleting',
    ],
  ),
  EnvironmentList: object(
    {
      items: { type: 'array', items: ref('EnvironmentSummary') },
      canManage: s('boolean'),
      clusterErrors: {
        type: 'array',
        items: object(
          {
            cluster: s('string'),
            message: s('string'),
            unreachableSince: s('string', { format: 'date-time' }),
          },
          ['cluster', 'message'],
        ),
      },
    },
    ['items', 'canManage', 'clusterErrors'],
  ),
  TopologyNode: object(
    {
      name: s('string'),
      zone: s('string'),
      rack: s('string'),
      host: s('string'),
      ready: s('boolean'),
      pods: s('integer'),
      environments: strings,
      nuwaImport: s('object', { additionalProperties: s('string') }),
    },
    ['name', 'ready', 'pods', 'environments'],
  ),
  ClusterTopology: object(
    {
      cluster: s('string'),
      labels: object(
        { zone: s('string'), rack: s('string'), host: s('string') },
        ['zone', 'rack', 'host'],
      ),
      nodes: { type: 'array', items: ref('TopologyNode') },
      storageClasses: strings,
      canLabel: s('boolean'),
    },
    ['cluster', 'labels', 'nodes', 'storageClasses', 'canLabel'],
  ),
};

/** The OpenAPI 3.1 document of the environments API, from {@link API_OPERATIONS}. */
export function buildOpenApiDocument() {
  return buildDocument({
    info: {
      title: 'environments',
      version: '1',
      description:
        'Cairn Environments: namespaces bound to nodes, storage classes and quotas, handed to teams (`/api/environments`)',
    },
    servers: [{ url: '/api/environments' }],
    operations: { ...API_OPERATIONS, ...REQUEST_OPERATIONS },
    errorResponses: ERROR_RESPONSES,
    schemas: { ...COMPONENTS, ...REQUEST_COMPONENTS },
  });
}
