import { ageColumn, conditionsSchema, CrdSchema } from '../crd';
import {
  DEBUG_GROUP,
  DEBUG_SESSION_DEFAULTS,
  DEBUG_SESSION_KIND,
  DEBUG_SESSION_PLURAL,
  DEBUG_VERSION,
} from './constants';
import { DEBUG_MODES, DEBUG_PHASES, DEBUG_PROFILES } from './types';

const dnsSubdomain =
  '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$';
const dnsLabel = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$';

/** CEL rules, which the API server evaluates (the dev cluster does not; the controller guards the same). */
type ValidatedSchema = CrdSchema & {
  'x-kubernetes-validations'?: Array<{ rule: string; message: string }>;
};

const specSchema: ValidatedSchema = {
  type: 'object',
  required: ['podName', 'targetContainer'],
  'x-kubernetes-validations': [
    {
      rule: 'self == oldSelf',
      message: "a DebugSession's spec cannot change; create another session",
    },
  ],
  properties: {
    podName: {
      type: 'string',
      description: 'The pod to debug, in the session’s namespace.',
      pattern: dnsSubdomain,
      maxLength: 253,
    },
    targetContainer: {
      type: 'string',
      description:
        'The container whose namespaces the debug container joins (ephemeral), or whose command becomes a sleep (copy).',
      pattern: dnsLabel,
      maxLength: 63,
    },
    toolkit: {
      type: 'string',
      description:
        'A toolkit of the controller’s catalog (netshoot, busybox, arthas, py-spy, delve by default); exactly one of toolkit and image.',
      pattern: dnsLabel,
      maxLength: 63,
    },
    image: {
      type: 'string',
      description:
        'An image outside the catalog; exactly one of toolkit and image.',
      pattern: '^\\S+$',
    },
    profile: {
      type: 'string',
      description:
        'kubectl debug’s --profile for the debug container; defaults to the toolkit’s, or general.',
      enum: [...DEBUG_PROFILES],
    },
    mode: {
      type: 'string',
      description:
        'ephemeral: an ephemeral container in the pod. copy: a copy of the pod with the target sleeping and the debug container added. Defaults to ephemeral.',
      enum: [...DEBUG_MODES],
    },
    ttlSeconds: {
      type: 'integer',
      format: 'int32',
      minimum: 1,
      description: `Seconds from the start until the session expires; defaults to ${DEBUG_SESSION_DEFAULTS.ttlSeconds}, capped by the controller’s configuration.`,
    },
    requestedBy: {
      type: 'string',
      description:
        'Who asked for the session (a user entity reference), for the audit.',
    },
  },
};

const statusSchema: CrdSchema = {
  type: 'object',
  properties: {
    phase: { type: 'string', enum: [...DEBUG_PHASES] },
    podName: { type: 'string' },
    containerName: { type: 'string' },
    copyPodName: { type: 'string' },
    image: { type: 'string' },
    startedAt: { type: 'string', format: 'date-time' },
    expiresAt: { type: 'string', format: 'date-time' },
    endedAt: { type: 'string', format: 'date-time' },
    observedGeneration: { type: 'integer', format: 'int64' },
    conditions: conditionsSchema,
  },
};

/**
 * The CustomResourceDefinition of `debugsessions.debug.cairn.dev`, as data;
 * the YAML in operators/deploy is generated from it.
 * @public
 */
export const debugSessionCrd = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: `${DEBUG_SESSION_PLURAL}.${DEBUG_GROUP}` },
  spec: {
    group: DEBUG_GROUP,
    scope: 'Namespaced',
    names: {
      plural: DEBUG_SESSION_PLURAL,
      singular: 'debugsession',
      kind: DEBUG_SESSION_KIND,
      listKind: `${DEBUG_SESSION_KIND}List`,
      shortNames: ['dbg'],
      categories: ['cairn'],
    },
    versions: [
      {
        name: DEBUG_VERSION,
        served: true,
        storage: true,
        subresources: { status: {} },
        additionalPrinterColumns: [
          { name: 'Phase', type: 'string', jsonPath: '.status.phase' },
          { name: 'Pod', type: 'string', jsonPath: '.spec.podName' },
          { name: 'Toolkit', type: 'string', jsonPath: '.spec.toolkit' },
          // A time, not an age: kubectl prints a date column in the future as <invalid>.
          { name: 'Expires', type: 'string', jsonPath: '.status.expiresAt' },
          {
            name: 'Requested-By',
            type: 'string',
            priority: 1,
            jsonPath: '.spec.requestedBy',
          },
          {
            name: 'Container',
            type: 'string',
            priority: 1,
            jsonPath: '.status.containerName',
          },
          ageColumn,
        ],
        schema: {
          openAPIV3Schema: {
            type: 'object',
            description:
              'A time-limited debug container (a toolkit image in the target container’s namespaces, or in a copy of its pod), ended at its TTL or when the session is deleted.',
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
