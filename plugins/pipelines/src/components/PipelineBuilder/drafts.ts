import type { RunRef } from '../../api';
import type { PipelineLocation } from './PipelinePanel';

/**
 * The unsaved text of a builder, kept in the tab's sessionStorage so that
 * leaving the builder by any in-app link (which the app's BrowserRouter
 * cannot block) loses nothing: opening the same pipeline again offers it
 * back.
 */
export interface BuilderDraft {
  text: string;
  /** The resourceVersion the text was edited from: a save of it then fails with a conflict if the pipeline changed since. */
  resourceVersion?: string;
  /** A new pipeline's chosen cluster and namespace. */
  location?: PipelineLocation;
}

/** One draft per entity and pipeline (or new pipeline) in the tab. */
export function draftKey(entityRef: string, pipeline: RunRef | 'new') {
  const which =
    pipeline === 'new'
      ? 'new'
      : `${pipeline.cluster}/${pipeline.namespace}/${pipeline.name}`;
  return `cairn.pipelines.builderDraft:${entityRef}:${which}`;
}

function isDraft(value: unknown): value is BuilderDraft {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as BuilderDraft).text === 'string'
  );
}

/*
 * Storage may be unavailable or full (private modes, quotas): a draft is a
 * convenience on top of the beforeunload and Back warnings, so the builder
 * goes on without one.
 */

export function readDraft(key: string): BuilderDraft | undefined {
  try {
    const value = JSON.parse(window.sessionStorage.getItem(key) ?? 'null');
    return isDraft(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

export function writeDraft(key: string, draft: BuilderDraft) {
  try {
    window.sessionStorage.setItem(key, JSON.stringify(draft));
  } catch {
    // No draft then (see above).
  }
}

export function removeDraft(key: string) {
  try {
    window.sessionStorage.removeItem(key);
  } catch {
    // No draft to remove then (see above).
  }
}
