import { createTwoFilesPatch } from 'diff';
import { stringify } from 'yaml';

type Json = Record<string, any>;

/**
 * The part of an object an install sets, as text to compare: its labels,
 * annotations and spec (not the server's bookkeeping: resourceVersion, uid,
 * managedFields, status). Keys sorted, so two servers' orders agree.
 */
export function installedView(object: Json): string {
  const { labels, annotations } = object.metadata ?? {};
  return stringify(
    {
      metadata: {
        ...(labels && Object.keys(labels).length ? { labels } : {}),
        ...(annotations && Object.keys(annotations).length
          ? { annotations: withoutLastApplied(annotations) }
          : {}),
      },
      spec: object.spec ?? {},
    },
    { sortMapEntries: true },
  );
}

/** kubectl's copy of what it last applied is not part of what an install sets. */
function withoutLastApplied(annotations: Record<string, string>) {
  const { 'kubectl.kubernetes.io/last-applied-configuration': _, ...rest } =
    annotations;
  return rest;
}

/**
 * Whether installing `desired` over `existing` changes it, and how: a
 * unified diff of the two {@link installedView}s (empty when the same).
 */
export function installDifference(
  existing: Json,
  desired: Json,
  name: string,
): { differs: boolean; diff: string } {
  const before = installedView(existing);
  const after = installedView(desired);
  if (before === after) return { differs: false, diff: '' };
  return {
    differs: true,
    diff: createTwoFilesPatch(
      `${name} (in the cluster)`,
      `${name} (to install)`,
      before,
      after,
      undefined,
      undefined,
      { context: 3 },
    ),
  };
}
