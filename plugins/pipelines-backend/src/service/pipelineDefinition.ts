import { InputError } from '@backstage/errors';
import {
  Pipeline,
  toEditablePipeline,
  ValidationProblem,
} from '@cairn/plugin-pipelines-common';
import {
  EntityScope,
  matchesLabelSelector,
  selectorLabels,
} from '@cairn/plugin-kubernetes-node';

/*
 * Pure steps of saving a Pipeline from the builder: what the object written
 * to the cluster looks like, and the errors that say what to fix.
 */

/** Where a Pipeline is written: the route's or the request's, never the body's metadata. */
export interface PipelineLocation {
  cluster: string;
  namespace: string;
  name: string;
}

/**
 * The Pipeline to write: the user's object with its name and namespace
 * checked against where it is written, and the entity's labels set so its
 * CI/CD tab finds it and its runs. An InputError says what to change.
 */
export function labelForEntity(
  scope: EntityScope,
  where: PipelineLocation,
  pipeline: Pipeline,
): Pipeline {
  const { name, namespace } = pipeline.metadata;
  if (name !== undefined && name !== where.name) {
    throw new InputError(
      `metadata.name is "${name}" but the Pipeline saved is "${where.name}"; a Pipeline cannot be renamed: create one with the new name instead`,
    );
  }
  if (namespace !== undefined && namespace !== where.namespace) {
    throw new InputError(
      `metadata.namespace is "${namespace}" but the Pipeline is saved in namespace "${where.namespace}"; make them the same`,
    );
  }
  const labels = { ...pipeline.metadata.labels };
  for (const [key, value] of Object.entries(selectorLabels(scope.selector))) {
    if (labels[key] !== undefined && labels[key] !== value) {
      throw new InputError(
        `metadata.labels["${key}"] is "${labels[key]}", but the Pipelines of ${scope.entityRef} carry "${value}"; remove the label or set it to "${value}"`,
      );
    }
    labels[key] = value;
  }
  if (!matchesLabelSelector(scope.selector, labels)) {
    throw new InputError(
      `the Pipeline's labels do not match "${scope.selectorText}", the label selector of ${scope.entityRef}, so its CI/CD tab would not find it; set metadata.labels so they match`,
    );
  }
  return {
    ...pipeline,
    metadata: {
      ...pipeline.metadata,
      name: where.name,
      namespace: where.namespace,
      labels,
    },
  };
}

/**
 * An edited Pipeline with the fields the editor hides (those
 * `toEditablePipeline` drops: status, uid, generation, …) restored from the
 * object as the cluster has it; `resourceVersion` is the one the user loaded.
 */
export function restoreServerOwned(
  edited: Pipeline,
  current: Pipeline,
  resourceVersion: string,
): Pipeline {
  const editable = toEditablePipeline(current);
  const serverOwned = <T extends object>(all: T, kept: T) =>
    Object.fromEntries(Object.entries(all).filter(([key]) => !(key in kept)));
  const {
    metadata: _currentMetadata,
    spec: _currentSpec,
    ...currentTop
  } = current;
  const {
    metadata: _editableMetadata,
    spec: _editableSpec,
    ...editableTop
  } = editable;
  return {
    ...serverOwned(currentTop, editableTop),
    ...edited,
    metadata: {
      ...serverOwned(current.metadata, editable.metadata),
      ...edited.metadata,
      resourceVersion,
    },
  };
}

/** The Tekton validation errors of a Pipeline as one InputError, each with its path; warnings do not block. */
export function invalidPipelineError(
  name: string,
  problems: ValidationProblem[],
): InputError | undefined {
  const errors = problems.filter(p => p.severity === 'error');
  if (!errors.length) return undefined;
  return new InputError(
    `pipeline "${name}" is not valid: ${errors
      .map(p => `${p.path}: ${p.message}`)
      .join('; ')}`,
  );
}
