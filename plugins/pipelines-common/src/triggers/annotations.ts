import { TRIGGER_EVENT_TYPES, TriggerEventType } from './delivery';

/**
 * The annotations on a Tekton Pipeline that declare what starts it:
 * Pipelines-as-Code's words under Cairn's prefix.
 * @public
 */
export const TRIGGER_ANNOTATIONS = {
  /** The repository's web URL (case-insensitive; `.git` and `/` ignored). */
  repository: 'triggers.cairn.dev/repository',
  /** `[push, pull_request]`; both when absent. */
  onEvent: 'triggers.cairn.dev/on-event',
  /** Branch globs, `refs/tags/*` for tags; every branch when absent. */
  onTargetBranch: 'triggers.cairn.dev/on-target-branch',
  /** Globs over a push's changed files; any change when absent. */
  onPathChange: 'triggers.cairn.dev/on-path-change',
  /** `true`: a new run cancels the running runs of the same PR or branch. */
  cancelInProgress: 'triggers.cairn.dev/cancel-in-progress',
  /** Keep at most N finished runs of the Pipeline started by deliveries. */
  maxKeepRuns: 'triggers.cairn.dev/max-keep-runs',
} as const;

/** What a Pipeline's trigger annotations declare. @public */
export interface TriggerSpec {
  /** The normalized repository URL (see normalizeRepositoryUrl). */
  repository: string;
  onEvent: TriggerEventType[];
  /** Undefined: every branch (tags only when a pattern names refs/tags/). */
  onTargetBranch?: string[];
  onPathChange?: string[];
  cancelInProgress: boolean;
  maxKeepRuns?: number;
}

/** Malformed trigger annotations, each problem on its own line. @public */
export class TriggerAnnotationError extends Error {
  readonly name = 'TriggerAnnotationError';
  constructor(readonly problems: string[]) {
    super(problems.join('; '));
  }
}

/**
 * A repository URL in the form deliveries and annotations are compared in:
 * lower case, without a trailing `/` or `.git`.
 * @public
 */
export function normalizeRepositoryUrl(url: string): string {
  let normalized = url.trim().toLowerCase().replace(/\/+$/, '');
  if (normalized.endsWith('.git')) normalized = normalized.slice(0, -4);
  return normalized.replace(/\/+$/, '');
}

/**
 * PaC's list syntax: `[a, b]`, `a, b` or `a`; items may be quoted.
 * Returns undefined for an empty list so callers can say so.
 */
function parseList(value: string): string[] | undefined {
  let text = value.trim();
  if (text.startsWith('[')) {
    if (!text.endsWith(']')) return undefined;
    text = text.slice(1, -1);
  } else if (text.endsWith(']')) {
    return undefined;
  }
  const items = text.split(',').map(item =>
    item
      .trim()
      .replace(/^(['"])(.*)\1$/, '$2')
      .trim(),
  );
  if (items.some(item => item === '')) return undefined;
  return items.length > 0 ? items : undefined;
}

/**
 * Reads the trigger annotations of a Pipeline. Undefined when it declares
 * no repository (it is not started by webhooks); a TriggerAnnotationError
 * naming every malformed annotation otherwise.
 * @public
 */
export function parseTriggerAnnotations(
  annotations: Record<string, string> | undefined,
): TriggerSpec | undefined {
  const get = (key: string) => annotations?.[key]?.trim();
  const repositoryValue = get(TRIGGER_ANNOTATIONS.repository);
  if (repositoryValue === undefined) return undefined;
  const problems: string[] = [];

  const repository = normalizeRepositoryUrl(repositoryValue);
  if (!/^https?:\/\/[^/\s]+\/\S+$/.test(repository)) {
    problems.push(
      `${TRIGGER_ANNOTATIONS.repository}: "${repositoryValue}" is not the web URL of a repository (https://host/owner/name)`,
    );
  }

  let onEvent: TriggerEventType[] = [...TRIGGER_EVENT_TYPES];
  const onEventValue = get(TRIGGER_ANNOTATIONS.onEvent);
  if (onEventValue !== undefined) {
    const items = parseList(onEventValue);
    const unknown = items?.filter(
      item => !TRIGGER_EVENT_TYPES.includes(item as TriggerEventType),
    );
    if (!items || unknown!.length > 0) {
      problems.push(
        `${
          TRIGGER_ANNOTATIONS.onEvent
        }: "${onEventValue}" must list ${TRIGGER_EVENT_TYPES.join(
          ' and/or ',
        )}, e.g. [push, pull_request]`,
      );
    } else {
      onEvent = [...new Set(items as TriggerEventType[])];
    }
  }

  const globList = (key: string): string[] | undefined => {
    const value = get(key);
    if (value === undefined) return undefined;
    const items = parseList(value);
    if (!items) {
      problems.push(
        `${key}: "${value}" must be a list of patterns, e.g. [main, release/*]`,
      );
    }
    return items;
  };
  const onTargetBranch = globList(TRIGGER_ANNOTATIONS.onTargetBranch);
  const onPathChange = globList(TRIGGER_ANNOTATIONS.onPathChange);

  let cancelInProgress = false;
  const cancelValue = get(TRIGGER_ANNOTATIONS.cancelInProgress);
  if (cancelValue !== undefined) {
    if (!/^(true|false)$/i.test(cancelValue)) {
      problems.push(
        `${TRIGGER_ANNOTATIONS.cancelInProgress}: "${cancelValue}" must be true or false`,
      );
    }
    cancelInProgress = cancelValue.toLowerCase() === 'true';
  }

  let maxKeepRuns: number | undefined;
  const maxKeepValue = get(TRIGGER_ANNOTATIONS.maxKeepRuns);
  if (maxKeepValue !== undefined) {
    if (!/^[1-9][0-9]*$/.test(maxKeepValue)) {
      problems.push(
        `${TRIGGER_ANNOTATIONS.maxKeepRuns}: "${maxKeepValue}" must be a positive whole number`,
      );
    } else {
      maxKeepRuns = Number(maxKeepValue);
    }
  }

  if (problems.length > 0) throw new TriggerAnnotationError(problems);
  return {
    repository,
    onEvent,
    onTargetBranch,
    onPathChange,
    cancelInProgress,
    maxKeepRuns,
  };
}

/**
 * What starts a Pipeline from Git webhooks, as the portal shows it: the
 * declared trigger, or why its annotations are not one.
 * @public
 */
export type PipelineTrigger =
  | ({ valid: true } & TriggerSpec)
  | { valid: false; problems: string[] };

/**
 * The trigger a Pipeline's annotations declare, for its summary; undefined
 * when it declares no repository.
 * @public
 */
export function readPipelineTrigger(
  annotations: Record<string, string> | undefined,
): PipelineTrigger | undefined {
  try {
    const spec = parseTriggerAnnotations(annotations);
    return spec && { valid: true, ...spec };
  } catch (error) {
    if (error instanceof TriggerAnnotationError) {
      return { valid: false, problems: error.problems };
    }
    throw error;
  }
}
