import type {
  V1ControllerRevision,
  V1OwnerReference,
  V1PodTemplateSpec,
} from '@kubernetes/client-node';
import { LABEL_STONE, STONE_API_VERSION, STONE_KIND } from './constants';
import { Stone } from './types';

/*
 * A Stone's revisions are ControllerRevisions of its pod template, named and
 * hashed as a StatefulSet's (`<name>-<hash>`, the hash also being the value
 * of the pods' `controller-revision-hash` label).
 */

/** JSON with object keys sorted, so equal objects serialise equally. @public */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : Number(a > b)));
    return `{${entries
      .map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

function fnv32a(text: string): number {
  let hash = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(text)) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

// k8s.io/apimachinery/pkg/util/rand.SafeEncodeString: no vowels (no words),
// no 0/1/3 (no look-alikes).
const SAFE_ALPHANUMS = 'bcdfghjklmnpqrstvwxz2456789';

/**
 * The hash of a template as Kubernetes' `controller.ComputeHash` spells it:
 * the decimal FNV-32a, safe-encoded; `collisionCount` makes another.
 * @public
 */
export function templateHash(
  template: V1PodTemplateSpec,
  collisionCount = 0,
): string {
  const digits = String(
    fnv32a(
      canonicalJson(template) + (collisionCount ? `#${collisionCount}` : ''),
    ),
  );
  return [...digits]
    .map(c => SAFE_ALPHANUMS[c.charCodeAt(0) % SAFE_ALPHANUMS.length])
    .join('');
}

/** The template a Stone revision holds. @public */
export function revisionTemplate(
  revision: V1ControllerRevision,
): V1PodTemplateSpec | undefined {
  return revision.data?.spec?.template;
}

/** The owner reference of what a Stone controls. @public */
export function stoneOwnerReference(stone: Stone): V1OwnerReference {
  return {
    apiVersion: STONE_API_VERSION,
    kind: STONE_KIND,
    name: stone.metadata.name!,
    uid: stone.metadata.uid!,
    controller: true,
    blockOwnerDeletion: true,
  };
}

/** What the Stone's template needs of its revisions. @public */
export type RevisionDecision =
  | { kind: 'existing'; revision: V1ControllerRevision }
  /** A rollback to an older revision: it becomes the newest, as StatefulSet renumbers it. */
  | { kind: 'renumber'; revision: V1ControllerRevision; number: number }
  | { kind: 'create'; revision: V1ControllerRevision };

/**
 * The revision of the Stone's current template among its revisions: the
 * one holding an equal template (renumbered to the newest if it is not),
 * else a new one named `<stone>-<hash>`, the hash re-drawn while the name
 * is taken by another template.
 * @public
 */
export function decideUpdateRevision(
  stone: Stone,
  revisions: V1ControllerRevision[],
): RevisionDecision {
  const template = stone.spec.template;
  const wanted = canonicalJson(template);
  const newest = Math.max(0, ...revisions.map(r => r.revision));
  const equal = revisions.find(
    r => canonicalJson(revisionTemplate(r)) === wanted,
  );
  if (equal) {
    return equal.revision === newest
      ? { kind: 'existing', revision: equal }
      : { kind: 'renumber', revision: equal, number: newest + 1 };
  }
  const names = new Set(revisions.map(r => r.metadata?.name));
  let collisionCount = 0;
  let name = `${stone.metadata.name}-${templateHash(template)}`;
  while (names.has(name)) {
    collisionCount++;
    name = `${stone.metadata.name}-${templateHash(template, collisionCount)}`;
  }
  return {
    kind: 'create',
    revision: {
      apiVersion: 'apps/v1',
      kind: 'ControllerRevision',
      metadata: {
        name,
        namespace: stone.metadata.namespace,
        labels: { [LABEL_STONE]: stone.metadata.name! },
        ownerReferences: [stoneOwnerReference(stone)],
      },
      data: { spec: { template } },
      revision: newest + 1,
    },
  };
}

/**
 * Revisions to delete: the oldest beyond `limit`, never one in `inUse`
 * (the current and update revisions and those pods run).
 * @public
 */
export function revisionsToPrune(
  revisions: V1ControllerRevision[],
  inUse: Set<string>,
  limit: number,
): string[] {
  const prunable = revisions
    .filter(r => !inUse.has(r.metadata!.name!))
    .sort((a, b) => a.revision - b.revision);
  return prunable
    .slice(0, Math.max(0, prunable.length - limit))
    .map(r => r.metadata!.name!);
}
