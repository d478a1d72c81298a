import { KUBERNETES_ID_ANNOTATION } from '@cairn/plugin-kubernetes-common';
import { TEKTON_API } from '../constants';
import type { Param, Pipeline, PipelineRun } from '../types';
import type { GitDelivery, TriggerEventType } from './delivery';

/** Labels Cairn sets on the runs a delivery created. @public */
export const TRIGGER_LABELS = {
  /** `push` or `pull_request`. */
  eventType: 'triggers.cairn.dev/event-type',
  /** The delivery id (sanitized into a label value). */
  deliveryId: 'triggers.cairn.dev/delivery-id',
  provider: 'triggers.cairn.dev/provider',
  /** The pull request number, for cancel-in-progress and filters. */
  pullRequest: 'triggers.cairn.dev/pull-request',
  /** Who pushed or opened the PR (as a label value), for the runs list. */
  sender: 'triggers.cairn.dev/sender',
} as const;

/** Annotations Cairn sets on the runs a delivery created. @public */
export const TRIGGER_RUN_ANNOTATIONS = {
  sha: 'triggers.cairn.dev/sha',
  sender: 'triggers.cairn.dev/sender',
  ref: 'triggers.cairn.dev/ref',
  repository: 'triggers.cairn.dev/repository-url',
  commitUrl: 'triggers.cairn.dev/commit-url',
  pullRequestUrl: 'triggers.cairn.dev/pull-request-url',
  /** The delivery id as the provider sent it (the label may be sanitized). */
  deliveryId: 'triggers.cairn.dev/delivery-id',
} as const;

/**
 * Pipelines-as-Code's dynamic variables, filled from the delivery into the
 * Pipeline params of the same name.
 * @public
 */
export const DYNAMIC_PARAM_NAMES = [
  'revision',
  'repo_url',
  'repo_owner',
  'repo_name',
  'source_branch',
  'target_branch',
  'pull_request_number',
  'sender',
  'event_type',
] as const;

/** @public */
export type DynamicParamName = (typeof DYNAMIC_PARAM_NAMES)[number];

/** A Pipeline that a delivery cannot start (its params). @public */
export class TriggeredRunError extends Error {
  readonly name = 'TriggeredRunError';
}

/** The values of PaC's dynamic variables for a delivery. @public */
export function dynamicParams(
  delivery: GitDelivery,
): Partial<Record<DynamicParamName, string>> {
  const branch = delivery.branch ?? delivery.ref;
  return {
    revision: delivery.sha,
    repo_url: delivery.repositoryUrl,
    repo_owner: delivery.repoOwner,
    repo_name: delivery.repoName,
    source_branch: branch,
    target_branch: delivery.targetBranch,
    pull_request_number: delivery.pullRequest
      ? String(delivery.pullRequest.number)
      : undefined,
    sender: delivery.sender,
    event_type: delivery.event,
  };
}

/**
 * A label value from any text: Kubernetes allows 63 characters of
 * [A-Za-z0-9_.-], starting and ending alphanumeric.
 */
export function toLabelValue(text: string): string {
  return text
    .replace(/[^A-Za-z0-9_.-]/g, '-')
    .slice(0, 63)
    .replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, '');
}

/**
 * The PipelineRun a delivery creates for a Pipeline: `generateName
 * <pipeline>-` in its namespace, PaC's dynamic variables in the params of
 * the same name (the others keep their defaults), labels that tie it to the
 * delivery and the entity. Throws TriggeredRunError when a param without
 * default is not one the delivery fills.
 * @public
 */
export function buildTriggeredPipelineRun(
  pipeline: Pipeline,
  delivery: GitDelivery,
): PipelineRun {
  const name = pipeline.metadata.name;
  if (!name) throw new TriggeredRunError('the Pipeline has no name');
  const values = dynamicParams(delivery);
  const params: Param[] = [];
  const missing: string[] = [];
  for (const spec of pipeline.spec?.params ?? []) {
    const value = values[spec.name as DynamicParamName];
    const isString =
      (spec.type ?? (Array.isArray(spec.default) ? 'array' : 'string')) ===
      'string';
    if (value !== undefined && isString) {
      params.push({ name: spec.name, value });
    } else if (spec.default === undefined) {
      missing.push(spec.name);
    }
  }
  if (missing.length > 0) {
    throw new TriggeredRunError(
      `${name} needs ${missing.join(', ')}, which ${
        missing.length === 1 ? 'has' : 'have'
      } no default and ${missing.length === 1 ? 'is' : 'are'} not filled by a ${
        delivery.event
      } delivery (it fills ${Object.entries(values)
        .filter(([, v]) => v !== undefined)
        .map(([k]) => k)
        .join(', ')})`,
    );
  }

  const eventType: TriggerEventType = delivery.event;
  const labels: Record<string, string> = {
    [TRIGGER_LABELS.eventType]: eventType,
    [TRIGGER_LABELS.deliveryId]: toLabelValue(delivery.deliveryId),
    [TRIGGER_LABELS.provider]: delivery.provider,
  };
  const sender = toLabelValue(delivery.sender);
  if (sender) labels[TRIGGER_LABELS.sender] = sender;
  const kubernetesId = pipeline.metadata.labels?.[KUBERNETES_ID_ANNOTATION];
  if (kubernetesId) labels[KUBERNETES_ID_ANNOTATION] = kubernetesId;
  if (delivery.pullRequest) {
    labels[TRIGGER_LABELS.pullRequest] = String(delivery.pullRequest.number);
  }
  const annotations: Record<string, string> = {
    [TRIGGER_RUN_ANNOTATIONS.sha]: delivery.sha,
    [TRIGGER_RUN_ANNOTATIONS.sender]: delivery.sender,
    [TRIGGER_RUN_ANNOTATIONS.ref]: delivery.ref,
    [TRIGGER_RUN_ANNOTATIONS.repository]: delivery.repositoryUrl,
    [TRIGGER_RUN_ANNOTATIONS.deliveryId]: delivery.deliveryId,
  };
  if (delivery.commitUrl) {
    annotations[TRIGGER_RUN_ANNOTATIONS.commitUrl] = delivery.commitUrl;
  }
  if (delivery.pullRequest) {
    annotations[TRIGGER_RUN_ANNOTATIONS.pullRequestUrl] =
      delivery.pullRequest.url;
  }

  return {
    apiVersion: `${TEKTON_API.group}/${TEKTON_API.version}`,
    kind: 'PipelineRun',
    metadata: {
      generateName: `${name}-`,
      namespace: pipeline.metadata.namespace,
      labels,
      annotations,
    },
    spec: {
      pipelineRef: { name },
      ...(params.length > 0 ? { params } : {}),
    },
  };
}

/**
 * The runs that cancel-in-progress stops for a new run of the same
 * Pipeline: those started by a delivery of the same pull request, or of a
 * push to the same ref.
 * @public
 */
export function isSameTriggerGroup(
  run: PipelineRun,
  delivery: GitDelivery,
): boolean {
  const labels = run.metadata.labels ?? {};
  if (labels[TRIGGER_LABELS.eventType] !== delivery.event) return false;
  if (delivery.pullRequest) {
    return (
      labels[TRIGGER_LABELS.pullRequest] === String(delivery.pullRequest.number)
    );
  }
  return (
    run.metadata.annotations?.[TRIGGER_RUN_ANNOTATIONS.ref] === delivery.ref
  );
}

/**
 * How the runs list names a run a delivery started: "push by alice",
 * "PR #12 by alice"; undefined for other runs.
 * @public
 */
export function describeWebhookTrigger(
  labels: Record<string, string> | undefined,
): string | undefined {
  const event = labels?.[TRIGGER_LABELS.eventType];
  if (!event) return undefined;
  const sender = labels[TRIGGER_LABELS.sender];
  const by = sender ? ` by ${sender}` : '';
  const pullRequest = labels[TRIGGER_LABELS.pullRequest];
  if (event === 'pull_request') {
    return pullRequest ? `PR #${pullRequest}${by}` : `pull request${by}`;
  }
  return `${event}${by}`;
}
