import type { V1PodTemplateSpec } from '@kubernetes/client-node';
import { Stone, StoneStage } from '@cairn/operators-api';

/*
 * Every action on a Stone is one JSON merge patch (RFC 7386) of its spec that
 * carries the resourceVersion the user saw: the API server refuses it with
 * 409 Conflict when the Stone changed since, so an approval or an update
 * never lands on a Stone other than the one the user looked at.
 */

/** A JSON merge patch of a Stone, guarded by the resourceVersion it was computed from. */
export interface StonePatch {
  metadata: { resourceVersion: string };
  spec: Record<string, unknown>;
}

type Json = unknown;

const isObject = (value: Json): value is Record<string, Json> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

/**
 * The merge patch that turns `from` into `to`: keys `to` lacks become null
 * (removed), objects are patched key by key, everything else (arrays
 * included, as RFC 7386 replaces them whole) is set to `to`'s value.
 * Undefined when they are equal.
 */
export function mergePatchBetween(from: Json, to: Json): Json | undefined {
  if (!isObject(from) || !isObject(to)) {
    return JSON.stringify(from) === JSON.stringify(to) ? undefined : to;
  }
  const patch: Record<string, Json> = {};
  for (const key of Object.keys(from)) {
    if (to[key] === undefined && from[key] !== undefined) patch[key] = null;
  }
  for (const [key, value] of Object.entries(to)) {
    if (value === undefined) continue;
    const change =
      from[key] === undefined ? value : mergePatchBetween(from[key], value);
    if (change !== undefined) patch[key] = change;
  }
  return Object.keys(patch).length ? patch : undefined;
}

function guarded(stone: Stone, spec: Record<string, unknown>): StonePatch {
  const resourceVersion = stone.metadata.resourceVersion;
  if (!resourceVersion) {
    throw new Error(`Stone ${stone.metadata.name} has no resourceVersion`);
  }
  return { metadata: { resourceVersion }, spec };
}

/** Moves the Stone to a stage (an approval: the next one). */
export function stagePatch(stone: Stone, stage: StoneStage): StonePatch {
  return guarded(stone, { strategy: stage });
}

/** Stops (or lets again) the operator move pods to another revision. */
export function pausePatch(stone: Stone, paused: boolean): StonePatch {
  return guarded(stone, { paused });
}

/**
 * Sets the Stone's pod template and stage in one request: a staged update
 * (from Alpha), a rollback to an earlier revision's template (staged back
 * from Alpha too), or an abort (the current revision's template, at Release:
 * every pod runs it again). An equal template still sets the stage.
 */
export function templatePatch(
  stone: Stone,
  template: V1PodTemplateSpec,
  stage: StoneStage,
): StonePatch {
  const change = mergePatchBetween(stone.spec.template, template);
  return guarded(stone, {
    ...(change === undefined ? {} : { template: change }),
    strategy: stage,
  });
}

/**
 * The Stone's template with new images for some of its containers (by
 * container name), after `template` (other changes to the whole template)
 * if given. An InputError-worthy message for containers it does not have.
 */
export function templateWithImages(
  template: V1PodTemplateSpec,
  images: Record<string, string>,
): { template: V1PodTemplateSpec; unknownContainers: string[] } {
  const containers = template.spec?.containers ?? [];
  const names = new Set(containers.map(c => c.name));
  const unknownContainers = Object.keys(images).filter(n => !names.has(n));
  return {
    template: {
      ...template,
      spec: {
        ...template.spec!,
        containers: containers.map(c =>
          images[c.name] ? { ...c, image: images[c.name] } : c,
        ),
      },
    },
    unknownContainers,
  };
}
