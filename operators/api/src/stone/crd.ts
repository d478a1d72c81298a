import {
  STONE_GROUP,
  STONE_KIND,
  STONE_PLURAL,
  STONE_VERSION,
} from './constants';
import { STONE_STAGES, STONE_UPDATE_TYPES } from './types';
import { ageColumn, conditionsSchema, CrdSchema } from '../crd';

const preserved = (description: string): CrdSchema => ({
  type: 'object',
  description,
  'x-kubernetes-preserve-unknown-fields': true,
});

const count = (description: string): CrdSchema => ({
  type: 'integer',
  format: 'int32',
  minimum: 0,
  description,
});

// Pod and Service specs are validated by the API server when the controller
// creates them; the schema checks what the controller itself relies on, as
// OpenKruise's CloneSet CRD keeps its template's unknown fields.
const templateSchema: CrdSchema = {
  type: 'object',
  description: 'The pods of every group (a PodTemplateSpec).',
  'x-kubernetes-preserve-unknown-fields': true,
  required: ['spec'],
  properties: {
    metadata: preserved('Labels and annotations of the pods.'),
    spec: {
      type: 'object',
      description: 'A PodSpec.',
      'x-kubernetes-preserve-unknown-fields': true,
      required: ['containers'],
      properties: {
        containers: {
          type: 'array',
          minItems: 1,
          items: {
            type: 'object',
            'x-kubernetes-preserve-unknown-fields': true,
            required: ['name', 'image'],
            properties: {
              name: { type: 'string', minLength: 1 },
              image: { type: 'string', minLength: 1 },
            },
          },
        },
      },
    },
  },
};

const dnsLabel = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$';

const specSchema: CrdSchema = {
  type: 'object',
  required: ['template', 'coordinates', 'strategy'],
  properties: {
    template: templateSchema,
    volumeClaimTemplates: {
      type: 'array',
      description:
        'A PersistentVolumeClaim per pod from each, named <claim>-<pod> and kept across updates.',
      items: {
        type: 'object',
        'x-kubernetes-preserve-unknown-fields': true,
        required: ['metadata'],
        properties: {
          metadata: {
            type: 'object',
            'x-kubernetes-preserve-unknown-fields': true,
            required: ['name'],
            properties: {
              name: { type: 'string', pattern: dnsLabel, maxLength: 63 },
            },
          },
        },
      },
    },
    service: preserved(
      'A ServiceSpec for the Services <stone> (all pods) and <stone>-<group> (one group); the controller sets the selector.',
    ),
    coordinates: {
      type: 'array',
      description: 'The groups of pods and the machines each group runs on.',
      'x-kubernetes-list-type': 'map',
      'x-kubernetes-list-map-keys': ['group'],
      items: {
        type: 'object',
        required: ['group', 'replicas', 'zoneset'],
        properties: {
          group: {
            type: 'string',
            description: 'A DNS label: pods are named <stone>-<group>-<n>.',
            pattern: dnsLabel,
            maxLength: 63,
          },
          replicas: count('Pods of the group when released.'),
          zoneset: {
            type: 'array',
            description: 'Pod n of the group runs at zoneset[n % len].',
            minItems: 1,
            items: {
              type: 'object',
              required: ['zone'],
              properties: {
                zone: {
                  type: 'string',
                  minLength: 1,
                  description:
                    'Required node zone (topology.kubernetes.io/zone).',
                },
                rack: {
                  type: 'string',
                  description:
                    'Preferred rack (the rack label, topology.cairn.dev/rack by default).',
                },
                host: {
                  type: 'string',
                  description: 'Preferred node (kubernetes.io/hostname).',
                },
              },
            },
          },
        },
      },
    },
    strategy: {
      type: 'string',
      description:
        'The stage: how many pods run the update revision. Alpha: the first pod of the first group; Beta: one per group; Omega: one per listed host in every group; Release: all.',
      enum: [...STONE_STAGES],
    },
    updateStrategy: {
      type: 'object',
      properties: {
        type: {
          type: 'string',
          description: 'Defaults to InPlaceIfPossible.',
          enum: [...STONE_UPDATE_TYPES],
        },
        maxUnavailable: {
          anyOf: [{ type: 'integer' }, { type: 'string' }],
          'x-kubernetes-int-or-string': true,
          description:
            'Pods not ready at once while updating, a number or a percentage; defaults to 1.',
        },
        gracePeriodSeconds: {
          type: 'integer',
          format: 'int32',
          minimum: 0,
          description:
            'Seconds between taking a pod out of its Services and patching it in place; defaults to 0.',
        },
        prePull: {
          type: 'boolean',
          description:
            'Pull the new images on each target node before touching a serving pod.',
        },
      },
    },
    paused: {
      type: 'boolean',
      description: 'No pod moves to another revision while set.',
    },
    progressDeadlineSeconds: {
      type: 'integer',
      format: 'int32',
      minimum: 1,
      description:
        'Seconds an updated pod has to become ready before the Stone pauses; defaults to 600.',
    },
    revisionHistoryLimit: {
      type: 'integer',
      format: 'int32',
      minimum: 0,
      description:
        'ControllerRevisions kept besides those the pods run; defaults to 10.',
    },
  },
};

const statusSchema: CrdSchema = {
  type: 'object',
  properties: {
    observedGeneration: { type: 'integer', format: 'int64' },
    replicas: count('Pods that exist.'),
    readyReplicas: count('Pods that are ready.'),
    updatedReplicas: count('Pods of the update revision.'),
    updatedReadyReplicas: count('Pods of the update revision that are ready.'),
    desiredReplicas: count('Pods the current stage wants to exist.'),
    stage: { type: 'string', enum: [...STONE_STAGES] },
    currentRevision: { type: 'string' },
    updateRevision: { type: 'string' },
    groups: {
      type: 'array',
      'x-kubernetes-list-type': 'map',
      'x-kubernetes-list-map-keys': ['group'],
      items: {
        type: 'object',
        required: ['group'],
        properties: {
          group: { type: 'string' },
          replicas: count('Pods of the group that exist.'),
          readyReplicas: count('Pods of the group that are ready.'),
          updatedReplicas: count('Pods of the group of the update revision.'),
        },
      },
    },
    conditions: conditionsSchema,
    stageComplete: {
      type: 'boolean',
      description: "The current stage's pods are updated and ready.",
    },
  },
};

/**
 * The CustomResourceDefinition of `stones.rollouts.cairn.dev`, as data; the
 * YAML in operators/deploy is generated from it.
 * @public
 */
export const stoneCrd = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: `${STONE_PLURAL}.${STONE_GROUP}` },
  spec: {
    group: STONE_GROUP,
    scope: 'Namespaced',
    names: {
      plural: STONE_PLURAL,
      singular: 'stone',
      kind: STONE_KIND,
      listKind: `${STONE_KIND}List`,
      shortNames: ['stone'],
      categories: ['all', 'cairn'],
    },
    versions: [
      {
        name: STONE_VERSION,
        served: true,
        storage: true,
        subresources: { status: {} },
        additionalPrinterColumns: [
          { name: 'Stage', type: 'string', jsonPath: '.spec.strategy' },
          { name: 'Ready', type: 'integer', jsonPath: '.status.readyReplicas' },
          {
            name: 'Updated',
            type: 'integer',
            jsonPath: '.status.updatedReplicas',
          },
          {
            name: 'Desired',
            type: 'integer',
            jsonPath: '.status.desiredReplicas',
          },
          {
            name: 'Paused',
            type: 'string',
            priority: 1,
            jsonPath: '.status.conditions[?(@.type=="Paused")].status',
          },
          {
            name: 'Revision',
            type: 'string',
            priority: 1,
            jsonPath: '.status.updateRevision',
          },
          ageColumn,
        ],
        schema: {
          openAPIV3Schema: {
            type: 'object',
            description:
              'A workload placed over zones, racks and hosts, released stage by stage (Alpha, Beta, Omega, Release) and updated in place.',
            required: ['spec'],
            properties: {
              apiVersion: { type: 'string' },
              kind: { type: 'string' },
              metadata: { type: 'object' },
              spec: specSchema,
              status: statusSchema,
            },
          } as CrdSchema,
        },
      },
    ],
  },
};
