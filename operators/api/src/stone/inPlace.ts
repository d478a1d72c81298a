import type { V1Pod, V1PodTemplateSpec } from '@kubernetes/client-node';
import {
  ANNOTATION_IN_PLACE_STATE,
  CONDITION_IN_PLACE_READY,
  LABEL_REVISION,
} from './constants';
import { canonicalJson } from './revisions';

/*
 * In-place updates, as OpenKruise's pkg/util/inplaceupdate computes them:
 * pure functions deciding whether a pod can move between two templates
 * without being recreated, what to patch, and when the patch has taken.
 */

/** Whether a pod can move from one template to another in place. @public */
export type InPlaceEligibility =
  | {
      inPlace: true;
      /** The new image of each container whose image changes. */
      images: Record<string, string>;
      /** Labels and annotations to set; null removes one. */
      labels: Record<string, string | null>;
      annotations: Record<string, string | null>;
    }
  | {
      inPlace: false;
      /** What differs besides images, labels and annotations, e.g. `spec.containers[app].env`. */
      reason: string;
    };

function metadataChanges(
  from: Record<string, string> | undefined,
  to: Record<string, string> | undefined,
): Record<string, string | null> {
  const changes: Record<string, string | null> = {};
  for (const key of Object.keys(from ?? {})) {
    if (!to || !(key in to)) changes[key] = null;
  }
  for (const [key, value] of Object.entries(to ?? {})) {
    if (from?.[key] !== value) changes[key] = value;
  }
  return changes;
}

function firstDifference(a: unknown, b: unknown, path: string): string {
  if (
    a === null ||
    b === null ||
    typeof a !== 'object' ||
    typeof b !== 'object' ||
    Array.isArray(a) !== Array.isArray(b) ||
    // Lists are told apart by their items' names (containers, volumes, …).
    (Array.isArray(a) && !a.every(item => typeof item?.name === 'string'))
  ) {
    return path;
  }
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const key of [...keys].sort()) {
    const x = (a as any)[key];
    const y = (b as any)[key];
    if (canonicalJson(x) !== canonicalJson(y)) {
      const isIndex = Array.isArray(a);
      const name = isIndex && (x?.name ?? y?.name);
      const next = isIndex
        ? `${path}[${name ?? key}]`
        : `${path ? `${path}.` : ''}${key}`;
      return firstDifference(x, y, next);
    }
  }
  return path;
}

/**
 * Whether a pod of template `from` can take template `to` in place: only
 * container images, labels and annotations may differ (what Kubernetes lets
 * a live pod change and the kubelet applies by restarting the container).
 * @public
 */
export function inPlaceEligibility(
  from: V1PodTemplateSpec,
  to: V1PodTemplateSpec,
): InPlaceEligibility {
  const fromContainers = from.spec?.containers ?? [];
  const toContainers = to.spec?.containers ?? [];
  const images: Record<string, string> = {};
  const withoutImages = (spec: V1PodTemplateSpec['spec']) => ({
    ...spec,
    containers: (spec?.containers ?? []).map(
      ({ image: _image, ...rest }) => rest,
    ),
  });
  if (
    fromContainers.length === toContainers.length &&
    fromContainers.every((c, i) => c.name === toContainers[i].name)
  ) {
    toContainers.forEach((c, i) => {
      if (c.image !== fromContainers[i].image) images[c.name] = c.image!;
    });
  }
  const fromSpec = withoutImages(from.spec);
  const toSpec = withoutImages(to.spec);
  if (canonicalJson(fromSpec) !== canonicalJson(toSpec)) {
    return {
      inPlace: false,
      reason: firstDifference(fromSpec, toSpec, 'spec'),
    };
  }
  const { labels: fl, annotations: fa, ...fromMeta } = from.metadata ?? {};
  const { labels: tl, annotations: ta, ...toMeta } = to.metadata ?? {};
  if (canonicalJson(fromMeta) !== canonicalJson(toMeta)) {
    return {
      inPlace: false,
      reason: firstDifference(fromMeta, toMeta, 'metadata'),
    };
  }
  return {
    inPlace: true,
    images,
    labels: metadataChanges(fl, tl),
    annotations: metadataChanges(fa, ta),
  };
}

/** What a pod's containers were before an in-place patch (the annotation's value). @public */
export interface InPlaceState {
  revision: string;
  updateTimestamp: string;
  /** The image and container ID of each changed container before the patch. */
  lastContainerStatuses: Record<
    string,
    { imageID?: string; containerID?: string }
  >;
}

/** The state recorded on a pod by its last in-place update, if it is readable. @public */
export function inPlaceState(pod: V1Pod): InPlaceState | undefined {
  const raw = pod.metadata?.annotations?.[ANNOTATION_IN_PLACE_STATE];
  if (!raw) return undefined;
  try {
    const state = JSON.parse(raw);
    return typeof state?.revision === 'string' ? state : undefined;
  } catch {
    return undefined;
  }
}

/** One operation of a JSON Patch (RFC 6902). @public */
export type JsonPatchOperation =
  | { op: 'test' | 'add' | 'replace'; path: string; value: unknown }
  | { op: 'remove'; path: string };

// RFC 6901: `~` and `/` in a key are escaped.
const pointer = (key: string) => key.replace(/~/g, '~0').replace(/\//g, '~1');

/**
 * The JSON Patch that moves a pod in place to `revision`: the new images,
 * labels and annotations, the revision label, and the state annotation
 * holding the changed containers' image and container IDs. Its `test`
 * operations make it apply only to the pod as it was read (still of its
 * revision, containers where they were), so a patch computed from a stale
 * copy fails instead of updating a pod twice, while status writes to the
 * pod (the kubelet's) do not get in its way as a resourceVersion would.
 * @public
 */
export function inPlacePatch(
  pod: V1Pod,
  revision: string,
  change: Extract<InPlaceEligibility, { inPlace: true }>,
  now: Date,
): JsonPatchOperation[] {
  const statuses = pod.status?.containerStatuses ?? [];
  const state: InPlaceState = {
    revision,
    updateTimestamp: now.toISOString(),
    lastContainerStatuses: Object.fromEntries(
      Object.keys(change.images).map(name => {
        const status = statuses.find(s => s.name === name);
        return [
          name,
          { imageID: status?.imageID, containerID: status?.containerID },
        ];
      }),
    ),
  };
  const labels = pod.metadata?.labels ?? {};
  const annotations = pod.metadata?.annotations;
  const operations: JsonPatchOperation[] = [
    {
      op: 'test',
      path: `/metadata/labels/${pointer(LABEL_REVISION)}`,
      value: labels[LABEL_REVISION],
    },
  ];
  const containers = pod.spec?.containers ?? [];
  for (const [name, image] of Object.entries(change.images)) {
    const index = containers.findIndex(c => c.name === name);
    operations.push(
      { op: 'test', path: `/spec/containers/${index}/name`, value: name },
      { op: 'replace', path: `/spec/containers/${index}/image`, value: image },
    );
  }
  const setAll = (
    field: 'labels' | 'annotations',
    current: Record<string, string>,
    values: Record<string, string | null>,
  ) => {
    for (const [key, value] of Object.entries(values)) {
      const path = `/metadata/${field}/${pointer(key)}`;
      if (value !== null) operations.push({ op: 'add', path, value });
      else if (key in current) operations.push({ op: 'remove', path });
    }
  };
  setAll('labels', labels, { ...change.labels, [LABEL_REVISION]: revision });
  if (!annotations) {
    operations.push({ op: 'add', path: '/metadata/annotations', value: {} });
  }
  setAll('annotations', annotations ?? {}, {
    ...change.annotations,
    [ANNOTATION_IN_PLACE_STATE]: JSON.stringify(state),
  });
  return operations;
}

/**
 * Whether an in-place update to the pod's current revision has taken: each
 * changed container runs again (a new imageID, or a new container when the
 * new tag has the same digest, cf. kruise#635) and is ready.
 * @public
 */
export function inPlaceUpdateDone(pod: V1Pod): boolean {
  const state = inPlaceState(pod);
  if (!state || state.revision !== pod.metadata?.labels?.[LABEL_REVISION]) {
    return true;
  }
  const statuses = pod.status?.containerStatuses ?? [];
  return Object.entries(state.lastContainerStatuses).every(([name, before]) => {
    const now = statuses.find(s => s.name === name);
    if (!now?.ready || !now.state?.running) return false;
    const image = pod.spec?.containers.find(c => c.name === name)?.image;
    if (now.image && image && !sameImage(now.image, image)) return false;
    return (
      now.imageID !== before.imageID || now.containerID !== before.containerID
    );
  });
}

// The kubelet reports `docker.io/library/busybox:1.36` for `busybox:1.36`,
// some runtimes only the image's `sha256:` ID, which says nothing here.
function sameImage(reported: string, spec: string): boolean {
  const lastSegment = spec.slice(spec.lastIndexOf('/') + 1);
  const tagged =
    spec.includes('@') || lastSegment.includes(':') ? spec : `${spec}:latest`;
  return (
    reported.startsWith('sha256:') ||
    reported === tagged ||
    reported.endsWith(`/${tagged}`)
  );
}

/** The pod's in-place readiness gate condition, if set. @public */
export function inPlaceGate(pod: V1Pod) {
  return pod.status?.conditions?.find(c => c.type === CONDITION_IN_PLACE_READY);
}

/** The status patch setting the pod's in-place readiness gate. @public */
export function inPlaceGatePatch(
  status: 'True' | 'False',
  reason: string,
  now: Date,
): object {
  return {
    status: {
      conditions: [
        {
          type: CONDITION_IN_PLACE_READY,
          status,
          reason,
          lastTransitionTime: now.toISOString(),
        },
      ],
    },
  };
}
