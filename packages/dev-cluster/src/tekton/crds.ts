import type { V1CustomResourceDefinition } from '@kubernetes/client-node';
import { STEP_ACTION_VERSION, TEKTON_GROUP } from './labels';

/*
 * The tekton.dev CRDs as a Tekton Pipelines release (config/300-crds)
 * registers them: v1 served and stored (Task, Pipeline, TaskRun and
 * PipelineRun also served at v1beta1, converted by Tekton's webhook, which
 * the dev cluster answers in process: conversionWebhook.ts), schemas that
 * keep unknown fields (Tekton validates in its webhook), the status
 * subresource, the Succeeded / Reason / StartTime / CompletionTime printer
 * columns, short names and the tekton / tekton-pipelines categories.
 */

const RUN_COLUMNS = [
  {
    name: 'Succeeded',
    type: 'string',
    jsonPath: '.status.conditions[?(@.type=="Succeeded")].status',
  },
  {
    name: 'Reason',
    type: 'string',
    jsonPath: '.status.conditions[?(@.type=="Succeeded")].reason',
  },
  { name: 'StartTime', type: 'date', jsonPath: '.status.startTime' },
  { name: 'CompletionTime', type: 'date', jsonPath: '.status.completionTime' },
];

function crd(
  kind: string,
  plural: string,
  shortNames: string[],
  columns: typeof RUN_COLUMNS | undefined,
  versions = ['v1beta1', 'v1'],
  conversion = true,
): V1CustomResourceDefinition {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: {
      name: `${plural}.${TEKTON_GROUP}`,
      labels: {
        'app.kubernetes.io/instance': 'default',
        'app.kubernetes.io/part-of': 'tekton-pipelines',
        'pipeline.tekton.dev/release': 'devel',
        version: 'devel',
      },
    },
    spec: {
      group: TEKTON_GROUP,
      names: {
        kind,
        plural,
        singular: plural.slice(0, -1),
        shortNames,
        categories: ['tekton', 'tekton-pipelines'],
      },
      scope: 'Namespaced',
      ...(conversion
        ? {
            conversion: {
              strategy: 'Webhook',
              webhook: {
                conversionReviewVersions: ['v1beta1', 'v1'],
                clientConfig: {
                  service: {
                    name: 'tekton-pipelines-webhook',
                    namespace: 'tekton-pipelines',
                  },
                },
              },
            },
          }
        : {}),
      // The last version is stored.
      versions: versions.map((name, index) => ({
        name,
        served: true,
        storage: index === versions.length - 1,
        schema: {
          openAPIV3Schema: {
            type: 'object',
            x_kubernetes_preserve_unknown_fields: true,
          },
        },
        subresources: { status: {} },
        ...(columns ? { additionalPrinterColumns: columns } : {}),
      })),
    },
  };
}

export const TEKTON_CRDS: V1CustomResourceDefinition[] = [
  crd('Task', 'tasks', [], undefined),
  crd('Pipeline', 'pipelines', [], undefined),
  crd('TaskRun', 'taskruns', ['tr', 'trs'], RUN_COLUMNS),
  crd('PipelineRun', 'pipelineruns', ['pr', 'prs'], RUN_COLUMNS),
  // Beta, on by default in Tekton (enable-step-actions).
  crd(
    'StepAction',
    'stepactions',
    [],
    undefined,
    ['v1alpha1', STEP_ACTION_VERSION],
    false,
  ),
];
