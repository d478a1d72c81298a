import { ageColumn, conditionsSchema, CrdSchema } from '../crd';
import {
  DELETION_POLICIES,
  ENVIRONMENT_KIND,
  ENVIRONMENT_PLURAL,
  TENANCY_GROUP,
  TENANCY_VERSION,
  TENANT_ROLES,
} from './constants';

const dnsLabel = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$';
/** apimachinery's quantity regular expression (ParseQuantity's format error quotes it). */
const QUANTITY_PATTERN =
  '^(\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))))?$';

/** A quantity as Kubernetes' own schemas write one: int or string, with the pattern. */
const quantity: CrdSchema = {
  anyOf: [{ type: 'integer' }, { type: 'string' }],
  pattern: QUANTITY_PATTERN,
  'x-kubernetes-int-or-string': true,
};

const resourceList = (description: string): CrdSchema => ({
  type: 'object',
  description,
  additionalProperties: quantity,
});

const labelValues = (description: string): CrdSchema => ({
  type: 'array',
  description,
  'x-kubernetes-list-type': 'set',
  items: { type: 'string', maxLength: 63 },
});

const specSchema: CrdSchema = {
  type: 'object',
  required: ['namespace', 'owner'],
  properties: {
    namespace: {
      type: 'string',
      description:
        'The namespace; created if missing, adopted if it exists and belongs to no other Environment.',
      pattern: dnsLabel,
      maxLength: 63,
    },
    owner: {
      type: 'string',
      description:
        'The owning team, a catalog group ref (group:default/team-x).',
      minLength: 1,
    },
    tenants: {
      type: 'array',
      description:
        'Teams bound to the admin, edit or view ClusterRole in the namespace.',
      items: {
        type: 'object',
        required: ['group', 'role'],
        properties: {
          group: {
            type: 'string',
            description: 'A catalog group ref.',
            minLength: 1,
          },
          role: { type: 'string', enum: [...TENANT_ROLES] },
        },
      },
    },
    placement: {
      type: 'object',
      description:
        'Node label values; a node is bound when its zone, rack or host label has any listed value. Empty: pods may run on any node.',
      properties: {
        zones: labelValues('Zone label values.'),
        racks: labelValues('Rack label values.'),
        hosts: labelValues('Host label values.'),
      },
    },
    storageClasses: {
      type: 'array',
      description:
        'The StorageClasses claims may use; every other class gets a quota of 0. Absent: all; empty: none.',
      'x-kubernetes-list-type': 'set',
      items: { type: 'string' },
    },
    quota: resourceList('The ResourceQuota hard limits.'),
    limits: {
      type: 'object',
      description: 'The Container item of the namespace’s LimitRange.',
      properties: {
        default: resourceList('Default limits.'),
        defaultRequest: resourceList('Default requests.'),
        max: resourceList('Maximum per container.'),
      },
    },
    deletionPolicy: {
      type: 'string',
      description:
        'Orphan (default): the namespace outlives the Environment. Delete: it is deleted with it.',
      enum: [...DELETION_POLICIES],
      default: 'Orphan',
    },
  },
};

const statusSchema: CrdSchema = {
  type: 'object',
  properties: {
    nodes: { type: 'array', items: { type: 'string' } },
    quota: {
      type: 'object',
      properties: {
        hard: resourceList(
          'The quota’s limits, as the ResourceQuota reports them.',
        ),
        used: resourceList('What the namespace uses.'),
      },
    },
    observedGeneration: { type: 'integer', format: 'int64' },
    conditions: conditionsSchema,
  },
};

/**
 * The CustomResourceDefinition of `environments.tenancy.cairn.dev`, as data;
 * the YAML in operators/deploy is generated from it.
 * @public
 */
export const environmentCrd = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: `${ENVIRONMENT_PLURAL}.${TENANCY_GROUP}` },
  spec: {
    group: TENANCY_GROUP,
    scope: 'Cluster',
    names: {
      plural: ENVIRONMENT_PLURAL,
      singular: 'environment',
      kind: ENVIRONMENT_KIND,
      listKind: `${ENVIRONMENT_KIND}List`,
      shortNames: ['env'],
      categories: ['cairn'],
    },
    versions: [
      {
        name: TENANCY_VERSION,
        served: true,
        storage: true,
        subresources: { status: {} },
        additionalPrinterColumns: [
          { name: 'Namespace', type: 'string', jsonPath: '.spec.namespace' },
          { name: 'Owner', type: 'string', jsonPath: '.spec.owner' },
          { name: 'Nodes', type: 'string', jsonPath: '.status.nodes' },
          {
            name: 'Ready',
            type: 'string',
            jsonPath: '.status.conditions[?(@.type=="Ready")].status',
          },
          ageColumn,
        ],
        schema: {
          openAPIV3Schema: {
            type: 'object',
            description:
              'A namespace bound to nodes, storage classes and a quota, handed to teams.',
            required: ['spec'],
            properties: {
              apiVersion: { type: 'string' },
              kind: { type: 'string' },
              metadata: {
                type: 'object',
                properties: {
                  // It names the nodes' binding label env.tenancy.cairn.dev/<name>.
                  name: { type: 'string', maxLength: 63 },
                },
              },
              spec: specSchema,
              status: statusSchema,
            },
          } as CrdSchema,
        },
      },
    ],
  },
};
