import { minimatch } from 'minimatch';
import type { Pipeline } from '../types';
import {
  normalizeRepositoryUrl,
  parseTriggerAnnotations,
  TRIGGER_ANNOTATIONS,
  TriggerAnnotationError,
  TriggerSpec,
} from './annotations';
import type { GitDelivery } from './delivery';

/** Why a Pipeline of the delivery's repository does not run. @public */
export type TriggerMismatch =
  | 'event'
  | 'branch'
  | 'path'
  | 'invalid-annotations';

/** A Pipeline with the cluster it lives in. @public */
export interface ClusterPipeline {
  cluster: string;
  pipeline: Pipeline;
}

/** How one Pipeline of the delivery's repository answered it. @public */
export type TriggerMatch<P extends ClusterPipeline = ClusterPipeline> =
  | { candidate: P; matched: true; spec: TriggerSpec }
  | {
      candidate: P;
      matched: false;
      mismatch: TriggerMismatch;
      reason: string;
    };

/**
 * Whether `branch` (the pushed branch, `refs/tags/<tag>`, or a PR's base)
 * matches one of the patterns. A pattern starting with `refs/` is matched
 * against the full ref, others against the branch name, so a tag is only
 * matched by `refs/tags/…` patterns.
 */
export function matchesTargetBranch(
  targetBranch: string,
  patterns: string[],
): boolean {
  const fullRef = targetBranch.startsWith('refs/')
    ? targetBranch
    : `refs/heads/${targetBranch}`;
  return patterns.some(pattern =>
    pattern.startsWith('refs/')
      ? minimatch(fullRef, pattern)
      : !targetBranch.startsWith('refs/') && minimatch(targetBranch, pattern),
  );
}

/** Whether one of the changed files matches one of the globs. */
export function matchesChangedFiles(
  changedFiles: string[],
  patterns: string[],
): boolean {
  return changedFiles.some(file =>
    patterns.some(pattern => minimatch(file, pattern, { dot: true })),
  );
}

function matchOne(delivery: GitDelivery, spec: TriggerSpec) {
  if (!spec.onEvent.includes(delivery.event)) {
    return {
      mismatch: 'event' as const,
      reason: `it runs on ${spec.onEvent.join(', ')}, not ${delivery.event}`,
    };
  }
  if (
    spec.onTargetBranch &&
    !matchesTargetBranch(delivery.targetBranch, spec.onTargetBranch)
  ) {
    return {
      mismatch: 'branch' as const,
      reason: `${
        delivery.targetBranch
      } is not one of ${spec.onTargetBranch.join(', ')}`,
    };
  }
  // Without the list of changed files (pull requests, truncated pushes) the
  // filter cannot tell, and building too often beats missing a change.
  if (
    spec.onPathChange &&
    delivery.changedFiles &&
    !matchesChangedFiles(delivery.changedFiles, spec.onPathChange)
  ) {
    return {
      mismatch: 'path' as const,
      reason: `no changed file matches ${spec.onPathChange.join(', ')}`,
    };
  }
  return undefined;
}

/**
 * The Pipelines declaring the delivery's repository, each matched or with
 * why not. Pipelines of other repositories or without trigger annotations
 * are left out; an empty result means no Pipeline declares the repository.
 * @public
 */
export function matchDelivery<P extends ClusterPipeline>(
  delivery: GitDelivery,
  candidates: Iterable<P>,
): TriggerMatch<P>[] {
  const repository = normalizeRepositoryUrl(delivery.repositoryUrl);
  const results: TriggerMatch<P>[] = [];
  for (const candidate of candidates) {
    const annotations = candidate.pipeline.metadata?.annotations;
    let spec: TriggerSpec | undefined;
    try {
      spec = parseTriggerAnnotations(annotations);
    } catch (error) {
      if (!(error instanceof TriggerAnnotationError)) throw error;
      // Only report broken annotations of this repository's Pipelines.
      const declared = annotations?.[TRIGGER_ANNOTATIONS.repository];
      if (declared && normalizeRepositoryUrl(declared) === repository) {
        results.push({
          candidate,
          matched: false,
          mismatch: 'invalid-annotations',
          reason: error.message,
        });
      }
      continue;
    }
    if (!spec || spec.repository !== repository) continue;
    const mismatch = matchOne(delivery, spec);
    results.push(
      mismatch
        ? { candidate, matched: false, ...mismatch }
        : { candidate, matched: true, spec },
    );
  }
  return results;
}
