import type {
  V1ControllerRevision,
  V1PersistentVolumeClaim,
  V1Pod,
  V1PodTemplateSpec,
  V1Service,
} from '@kubernetes/client-node';
import {
  DEFAULT_RACK_LABEL,
  LABEL_GROUP,
  LABEL_PRE_PULL,
  LABEL_REVISION,
  STONE_DEFAULTS,
} from './constants';
import { buildPrePullPod, prePullPodName, prePullState } from './prePull';
import {
  inPlaceEligibility,
  inPlaceGate,
  inPlaceGatePatch,
  inPlacePatch,
  inPlaceState,
  inPlaceUpdateDone,
  JsonPatchOperation,
} from './inPlace';
import { buildClaims, buildPod, buildServices, podName } from './objects';
import {
  decideUpdateRevision,
  revisionsToPrune,
  revisionTemplate,
  canonicalJson,
} from './revisions';
import { resolveMaxUnavailable, updateTypeOf, validateStoneSpec } from './spec';
import { stageGroups } from './stages';
import {
  Stone,
  StoneCondition,
  StoneConditionType,
  StoneGroupStatus,
  StoneStatus,
} from './types';

/*
 * The Stone's reconcile as a pure function: from what the cluster holds now,
 * the writes that move it one step towards the spec. Every decision is made
 * from observed state alone (labels, annotations, conditions), so a
 * controller that crashed between two writes converges on the next pass.
 */

/** One write to the cluster; the controller performs them in order and stops at the first failure. @public */
export type StoneAction =
  | { type: 'createRevision'; revision: V1ControllerRevision }
  | { type: 'renumberRevision'; name: string; revision: number }
  | { type: 'deleteRevision'; name: string }
  | { type: 'createClaim'; claim: V1PersistentVolumeClaim }
  | { type: 'createPod'; pod: V1Pod }
  /** Delete with a UID precondition, so a pod recreated meanwhile is spared. */
  | { type: 'deletePod'; name: string; uid: string; reason: string }
  /** A JSON Patch of the pod (in place), guarded by `test` operations. */
  | { type: 'patchPod'; name: string; patch: JsonPatchOperation[] }
  /**
   * A strategic merge patch of `pods/status` setting the in-place readiness
   * gate. It needs no precondition: repeating it from a stale copy sets what
   * was already set.
   */
  | { type: 'patchPodStatus'; name: string; patch: object }
  | { type: 'createService'; service: V1Service }
  | { type: 'updateService'; service: V1Service }
  | { type: 'deleteService'; name: string }
  | {
      type: 'event';
      eventType: 'Normal' | 'Warning';
      reason: string;
      message: string;
    }
  | { type: 'updateStatus'; status: StoneStatus };

/** What the cluster holds of one Stone: only objects it controls (pods, revisions, Services by owner UID; claims by label). @public */
export interface StoneObservation {
  stone: Stone;
  pods: V1Pod[];
  claims: V1PersistentVolumeClaim[];
  revisions: V1ControllerRevision[];
  services: V1Service[];
  /** Its pre-pull pods (label `rollouts.cairn.dev/pre-pull-for`). */
  prePullPods?: V1Pod[];
  now: Date;
  /** The node label of racks; `topology.cairn.dev/rack` by default. */
  rackLabel?: string;
}

/** @public */
export interface StonePlan {
  actions: StoneAction[];
  status: StoneStatus;
  /** Look again after this long even if nothing changes (a grace period or a progress deadline runs out). */
  requeueAfterSeconds?: number;
}

/** Reasons that pause a Stone on an updated pod. @public */
export const PAUSE_REASONS = [
  'ImagePullBackOff',
  'CrashLoopBackOff',
  'ProgressDeadlineExceeded',
] as const;

interface Failure {
  reason: (typeof PAUSE_REASONS)[number];
  message: string;
}

const time = (t: Date | string | undefined): number =>
  t === undefined ? NaN : new Date(t).getTime();

const isTerminating = (pod: V1Pod) => !!pod.metadata?.deletionTimestamp;

const isReady = (pod: V1Pod) =>
  pod.status?.conditions?.some(
    c => c.type === 'Ready' && c.status === 'True',
  ) ?? false;

const revisionOf = (pod: V1Pod) => pod.metadata?.labels?.[LABEL_REVISION];

/** Why an updated pod makes the Stone pause, if it does. */
function podFailure(
  pod: V1Pod,
  deadlineSeconds: number,
  now: Date,
): { failure?: Failure; secondsLeft?: number } {
  const name = pod.metadata!.name;
  const statuses = [
    ...(pod.status?.initContainerStatuses ?? []),
    ...(pod.status?.containerStatuses ?? []),
  ];
  for (const s of statuses) {
    const waiting = s.state?.waiting;
    if (
      waiting?.reason === 'ImagePullBackOff' ||
      waiting?.reason === 'CrashLoopBackOff'
    ) {
      return {
        failure: {
          reason: waiting.reason,
          message: `pod ${name}: container ${s.name}: ${waiting.reason}${
            waiting.message ? `: ${waiting.message}` : ''
          }`,
        },
      };
    }
  }
  if (isReady(pod) && inPlaceUpdateDone(pod)) return {};
  const state = inPlaceState(pod);
  const started =
    state && state.revision === revisionOf(pod)
      ? time(state.updateTimestamp)
      : time(pod.metadata?.creationTimestamp);
  if (Number.isNaN(started)) return {};
  const secondsLeft = (started + deadlineSeconds * 1000 - now.getTime()) / 1000;
  if (secondsLeft > 0) return { secondsLeft };
  return {
    failure: {
      reason: 'ProgressDeadlineExceeded',
      message: `pod ${name} is not ready ${deadlineSeconds}s after it was updated`,
    },
  };
}

function condition(
  previous: StoneCondition[] | undefined,
  type: StoneConditionType,
  status: StoneCondition['status'],
  reason: string,
  message: string,
  generation: number | undefined,
  now: Date,
): StoneCondition {
  const before = previous?.find(c => c.type === type);
  return {
    type,
    status,
    observedGeneration: generation,
    lastTransitionTime:
      before && before.status === status
        ? before.lastTransitionTime
        : now.toISOString(),
    reason,
    message,
  };
}

/**
 * The writes that move a Stone's pods, claims, Services and revisions one
 * step towards its spec, and its status as observed.
 * @public
 */
export function planStone(observation: StoneObservation): StonePlan {
  const { stone, now } = observation;
  const rackLabel = observation.rackLabel ?? DEFAULT_RACK_LABEL;
  const spec = stone.spec;
  const generation = stone.metadata.generation;
  const previous = stone.status;
  const actions: StoneAction[] = [];
  let requeueAfterSeconds: number | undefined;
  const requeueAfter = (seconds: number) => {
    requeueAfterSeconds = Math.min(
      requeueAfterSeconds ?? Infinity,
      Math.max(1, Math.ceil(seconds)),
    );
  };

  const livePods = observation.pods.filter(p => !isTerminating(p));
  const countStatus = (
    desired: number,
    updateRevision: string | undefined,
  ): Omit<StoneStatus, 'conditions' | 'stageComplete'> => {
    const groups: StoneGroupStatus[] = (spec.coordinates ?? []).map(g => {
      const pods = livePods.filter(
        p => p.metadata?.labels?.[LABEL_GROUP] === g.group,
      );
      return {
        group: g.group,
        replicas: pods.length,
        readyReplicas: pods.filter(isReady).length,
        updatedReplicas: pods.filter(p => revisionOf(p) === updateRevision)
          .length,
      };
    });
    const updated = livePods.filter(p => revisionOf(p) === updateRevision);
    return {
      observedGeneration: generation,
      replicas: livePods.length,
      readyReplicas: livePods.filter(isReady).length,
      updatedReplicas: updated.length,
      updatedReadyReplicas: updated.filter(
        p => isReady(p) && inPlaceUpdateDone(p),
      ).length,
      desiredReplicas: desired,
      stage: spec.strategy,
      currentRevision: previous?.currentRevision,
      updateRevision,
      groups,
    };
  };

  const finish = (
    status: StoneStatus,
    degraded?: { reason: string; message: string },
  ): StonePlan => {
    if (degraded) {
      const before = previous?.conditions?.find(c => c.type === 'Degraded');
      if (before?.status !== 'True' || before.reason !== degraded.reason) {
        actions.push({
          type: 'event',
          eventType: 'Warning',
          reason: degraded.reason,
          message: degraded.message,
        });
      }
    }
    if (canonicalJson(status) !== canonicalJson(previous)) {
      actions.push({ type: 'updateStatus', status });
    }
    return { actions, status, requeueAfterSeconds };
  };

  // A spec the schema let through but the controller cannot act on.
  const problems = validateStoneSpec(spec);
  if (problems.length) {
    const message = problems.join('; ');
    const cond = (
      t: StoneConditionType,
      s: StoneCondition['status'],
      r: string,
    ) => condition(previous?.conditions, t, s, r, message, generation, now);
    return finish(
      {
        ...countStatus(0, previous?.updateRevision),
        updateRevision: previous?.updateRevision,
        conditions: [
          cond('Available', 'Unknown', 'InvalidSpec'),
          cond('Progressing', 'False', 'InvalidSpec'),
          cond('Degraded', 'True', 'InvalidSpec'),
          cond('Paused', 'False', 'InvalidSpec'),
        ],
        stageComplete: false,
      },
      { reason: 'InvalidSpec', message },
    );
  }

  // Revisions: the update revision is the template's; the current one is
  // what every pod ran before, unset until a first release completes.
  const decision = decideUpdateRevision(stone, observation.revisions);
  const revisions = new Map(
    observation.revisions.map(r => [r.metadata!.name!, r]),
  );
  const updateRevision = decision.revision.metadata!.name!;
  if (decision.kind === 'create') {
    actions.push({ type: 'createRevision', revision: decision.revision });
    revisions.set(updateRevision, decision.revision);
  } else if (decision.kind === 'renumber') {
    actions.push({
      type: 'renumberRevision',
      name: updateRevision,
      revision: decision.number,
    });
  }
  // A current revision whose ControllerRevision is gone (deleted by hand)
  // still tells an update from a first release: its pods stay, and only
  // what needs its template waits (Degraded says so).
  const currentRevision = previous?.currentRevision || undefined;
  const firstRelease = currentRevision === undefined;
  let missingRevision: string | undefined;
  const templateOf = (name: string): V1PodTemplateSpec | undefined => {
    const revision = revisions.get(name);
    return revision && revisionTemplate(revision);
  };

  const groups = stageGroups(spec.strategy, spec.coordinates, firstRelease);
  const stoneName = stone.metadata.name!;
  interface Slot {
    name: string;
    groupIndex: number;
    index: number;
    target: string;
    pod?: V1Pod;
  }
  const podsByName = new Map(observation.pods.map(p => [p.metadata!.name!, p]));
  const slots: Slot[] = groups.flatMap((g, groupIndex) =>
    g.slots.map(s => {
      const name = podName(stoneName, g.group, s.index);
      return {
        name,
        groupIndex,
        index: s.index,
        target: s.revision === 'update' ? updateRevision : currentRevision!,
        pod: podsByName.get(name),
      };
    }),
  );
  const slotNames = new Set(slots.map(s => s.name));

  // Pods of no slot: groups removed, replicas lowered, or a first release's
  // pods beyond the stage.
  for (const pod of observation.pods) {
    if (!slotNames.has(pod.metadata!.name!) && !isTerminating(pod)) {
      actions.push({
        type: 'deletePod',
        name: pod.metadata!.name!,
        uid: pod.metadata!.uid!,
        reason: 'not part of the stage',
      });
    }
  }

  // Pause: a failing updated pod stops the update before any other pod is
  // touched; it stays paused for this spec and revision even while the pod
  // flaps between back-offs, and a spec change looks again.
  const deadline =
    spec.progressDeadlineSeconds ?? STONE_DEFAULTS.progressDeadlineSeconds;
  let failure: Failure | undefined;
  for (const pod of livePods) {
    if (revisionOf(pod) !== updateRevision) continue;
    const result = podFailure(pod, deadline, now);
    if (result.failure && !failure) failure = result.failure;
    if (result.secondsLeft !== undefined) requeueAfter(result.secondsLeft);
  }
  const prePullPods = observation.prePullPods ?? [];
  for (const pod of prePullPods) {
    if (pod.metadata?.labels?.[LABEL_PRE_PULL] !== updateRevision) continue;
    const pull = prePullState(pod);
    if (pull.state === 'failed' && !failure) {
      failure = {
        reason: 'ImagePullBackOff',
        message: `pre-pull pod ${pod.metadata!.name} on node ${
          pod.spec?.nodeName
        }: container ${pull.container}: ${pull.reason}${
          pull.message ? `: ${pull.message}` : ''
        }`,
      };
    }
  }
  const previousPause = previous?.conditions?.find(c => c.type === 'Paused');
  if (
    !failure &&
    previousPause?.status === 'True' &&
    (PAUSE_REASONS as readonly string[]).includes(previousPause.reason) &&
    previousPause.observedGeneration === generation &&
    previous?.updateRevision === updateRevision
  ) {
    failure = {
      reason: previousPause.reason as Failure['reason'],
      message: previousPause.message,
    };
  }
  const paused = !!spec.paused || !!failure;

  // Pods that are not serving now; a move may only start while fewer than
  // maxUnavailable are, unless the pod it moves is one of them.
  const gateOf = (pod: V1Pod) => inPlaceGate(pod)?.status;
  const unavailable = (slot: Slot) =>
    !slot.pod ||
    isTerminating(slot.pod) ||
    !isReady(slot.pod) ||
    gateOf(slot.pod) === 'False' ||
    !inPlaceUpdateDone(slot.pod);
  let unavailableCount = slots.filter(unavailable).length;
  const maxUnavailable = resolveMaxUnavailable(spec, slots.length);
  const grace =
    spec.updateStrategy?.gracePeriodSeconds ??
    STONE_DEFAULTS.gracePeriodSeconds;
  const updateType = updateTypeOf(spec);
  let refused: { reason: string; message: string } | undefined;

  const claimNames = new Set(observation.claims.map(c => c.metadata!.name!));
  const prePullByName = new Map(prePullPods.map(p => [p.metadata!.name!, p]));
  /** Pre-pull pods still needed: a pod on their node waits for them. */
  const prePullsNeeded = new Set<string>();
  for (const slot of slots) {
    const group = spec.coordinates[slot.groupIndex];
    const pod = slot.pod;
    const target = templateOf(slot.target);
    if (!target) {
      missingRevision = slot.target;
      continue;
    }
    if (!pod) {
      for (const claim of buildClaims(stone, group.group, slot.index)) {
        if (!claimNames.has(claim.metadata!.name!)) {
          actions.push({ type: 'createClaim', claim });
        }
      }
      actions.push({
        type: 'createPod',
        pod: buildPod({
          stone,
          group,
          index: slot.index,
          revisionName: slot.target,
          template: target,
          rackLabel,
        }),
      });
      continue;
    }
    if (isTerminating(pod)) continue;
    const name = slot.name;
    const uid = pod.metadata!.uid!;
    const phase = pod.status?.phase;
    if (phase === 'Failed' || phase === 'Succeeded') {
      actions.push({
        type: 'deletePod',
        name,
        uid,
        reason: `pod ${phase.toLowerCase()}`,
      });
      continue;
    }
    const gate = gateOf(pod);
    const setGate = (status: 'True' | 'False', reason: string) =>
      actions.push({
        type: 'patchPodStatus',
        name,
        patch: inPlaceGatePatch(status, reason, now),
      });

    if (revisionOf(pod) === slot.target) {
      // Settled, or an in-place update that has to take before the pod
      // serves again.
      if (gate !== 'True' && inPlaceUpdateDone(pod)) {
        setGate('True', inPlaceState(pod) ? 'InPlaceUpdated' : 'PodReady');
      }
      continue;
    }

    // The pod runs another revision than its slot's.
    const from = templateOf(revisionOf(pod) ?? '');
    const to = target;
    const eligibility = from
      ? inPlaceEligibility(from, to)
      : ({
          inPlace: false,
          reason: `revision "${revisionOf(pod)}" is unknown`,
        } as const);
    const inPlace = updateType !== 'ReCreate' && eligibility.inPlace;
    if (paused) {
      // Taken out of service for a step that will not happen now.
      if (gate === 'False') setGate('True', 'InPlaceUpdateCancelled');
      continue;
    }
    if (!eligibility.inPlace && updateType === 'InPlaceOnly') {
      refused ??= {
        reason: 'InPlaceUpdateNotPossible',
        message: `pod ${name} cannot move to revision ${slot.target} in place (${eligibility.reason} differs) and updateStrategy is InPlaceOnly`,
      };
      continue;
    }
    if (eligibility.inPlace && inPlace) {
      const change = eligibility;
      const patch = () =>
        actions.push({
          type: 'patchPod',
          name,
          patch: inPlacePatch(pod, slot.target, change, now),
        });
      if (Object.keys(change.images).length === 0) {
        // Labels and annotations only: nothing restarts, nothing to drain.
        patch();
        continue;
      }
      if (gate === 'False') {
        const waited =
          (now.getTime() - time(inPlaceGate(pod)?.lastTransitionTime)) / 1000;
        if (!(waited < grace)) patch();
        else requeueAfter(grace - waited);
        continue;
      }
    }
    const node = pod.spec?.nodeName;
    if (
      inPlace &&
      eligibility.inPlace &&
      spec.updateStrategy?.prePull &&
      node
    ) {
      // The new images go to the node before its serving pod is touched.
      const pullName = prePullPodName(slot.target, node);
      const pulling = prePullByName.get(pullName);
      if (!prePullsNeeded.has(pullName) && !pulling) {
        actions.push({
          type: 'createPod',
          pod: buildPrePullPod({
            stone,
            revision: slot.target,
            node,
            images: Object.values(eligibility.images),
            template: to,
          }),
        });
      }
      prePullsNeeded.add(pullName);
      if (!pulling || prePullState(pulling).state !== 'pulled') continue;
    }
    const alreadyUnavailable = unavailable(slot);
    if (!alreadyUnavailable && unavailableCount >= maxUnavailable) continue;
    if (!alreadyUnavailable) unavailableCount++;
    if (inPlace) {
      setGate('False', 'StartInPlaceUpdate');
      if (grace > 0) requeueAfter(grace);
    } else {
      actions.push({
        type: 'deletePod',
        name,
        uid,
        reason: `recreated for revision ${slot.target}`,
      });
    }
  }

  // Pre-pull pods whose node has no pod left waiting for them; a failed
  // one stays while it pauses the Stone, to be looked at.
  for (const pod of prePullPods) {
    const pausing =
      failure && pod.metadata?.labels?.[LABEL_PRE_PULL] === updateRevision;
    if (
      !isTerminating(pod) &&
      !pausing &&
      !prePullsNeeded.has(pod.metadata!.name!)
    ) {
      actions.push({
        type: 'deletePod',
        name: pod.metadata!.name!,
        uid: pod.metadata!.uid!,
        reason: 'pre-pull done',
      });
    }
  }

  // Services.
  const existingServices = new Map(
    observation.services.map(s => [s.metadata!.name!, s]),
  );
  const wantedServices = buildServices(stone);
  for (const service of wantedServices) {
    const existing = existingServices.get(service.metadata!.name!);
    if (!existing) {
      actions.push({ type: 'createService', service });
    } else if (serviceDiffers(existing, service)) {
      actions.push({
        type: 'updateService',
        service: {
          ...existing,
          metadata: { ...existing.metadata, labels: service.metadata!.labels },
          spec: { ...existing.spec, ...service.spec },
        },
      });
    }
  }
  const wantedServiceNames = new Set(
    wantedServices.map(s => s.metadata!.name!),
  );
  for (const name of existingServices.keys()) {
    if (!wantedServiceNames.has(name)) {
      actions.push({ type: 'deleteService', name });
    }
  }

  // Status.
  const counts = countStatus(slots.length, updateRevision);
  const stageSlots = slots.filter(s => s.target === updateRevision);
  const settled = (slot: Slot) =>
    !!slot.pod &&
    !isTerminating(slot.pod) &&
    revisionOf(slot.pod) === slot.target &&
    isReady(slot.pod) &&
    gateOf(slot.pod) === 'True' &&
    inPlaceUpdateDone(slot.pod);
  const stageComplete = stageSlots.every(settled);
  const released =
    spec.strategy === 'Release' &&
    slots.every(s => s.target === updateRevision && settled(s)) &&
    counts.replicas === slots.length;
  const nextCurrentRevision = released ? updateRevision : currentRevision;

  const cond = (
    type: StoneConditionType,
    status: StoneCondition['status'],
    reason: string,
    message: string,
  ) =>
    condition(
      previous?.conditions,
      type,
      status,
      reason,
      message,
      generation,
      now,
    );
  const available = counts.readyReplicas >= slots.length - maxUnavailable;
  const degraded =
    failure ??
    refused ??
    (missingRevision && {
      reason: 'RevisionMissing',
      message: `ControllerRevision ${missingRevision} is gone: pods of the current revision cannot be created; a completed Release makes a new current revision`,
    });
  const readyMessage = `${counts.readyReplicas} of ${slots.length} pods are ready`;
  const progressing = (): StoneCondition => {
    if (degraded) {
      return cond('Progressing', 'False', degraded.reason, degraded.message);
    }
    if (spec.paused) {
      return cond('Progressing', 'Unknown', 'Paused', 'spec.paused is set');
    }
    if (stageComplete && actions.length === 0) {
      return cond(
        'Progressing',
        'True',
        'StageComplete',
        `stage ${spec.strategy} of revision ${updateRevision} is complete`,
      );
    }
    return cond(
      'Progressing',
      'True',
      'StageProgressing',
      `stage ${spec.strategy} of revision ${updateRevision}: ${
        stageSlots.filter(settled).length
      } of ${stageSlots.length} pods updated and ready`,
    );
  };
  const pausedCondition = (): StoneCondition => {
    if (failure) return cond('Paused', 'True', failure.reason, failure.message);
    if (spec.paused) {
      return cond('Paused', 'True', 'SpecPaused', 'spec.paused is set');
    }
    return cond('Paused', 'False', 'NotPaused', '');
  };
  const conditions: StoneCondition[] = [
    available
      ? cond('Available', 'True', 'MinimumReplicasAvailable', readyMessage)
      : cond('Available', 'False', 'MinimumReplicasUnavailable', readyMessage),
    progressing(),
    degraded
      ? cond('Degraded', 'True', degraded.reason, degraded.message)
      : cond('Degraded', 'False', 'AsExpected', ''),
    pausedCondition(),
  ];
  const status: StoneStatus = {
    ...counts,
    currentRevision: nextCurrentRevision,
    conditions,
    stageComplete,
  };

  // Events: stage start and completion, pauses.
  const sameStage =
    previous?.stage === spec.strategy &&
    previous?.updateRevision === updateRevision;
  if (!sameStage) {
    actions.push({
      type: 'event',
      eventType: 'Normal',
      reason: 'StageStarted',
      message: `stage ${spec.strategy} of revision ${updateRevision} started: ${
        stageSlots.length
      } pods in ${groups.filter(g => g.updated > 0).length} groups`,
    });
  }
  if (stageComplete && !(sameStage && previous?.stageComplete)) {
    actions.push({
      type: 'event',
      eventType: 'Normal',
      reason: 'StageCompleted',
      message: `stage ${spec.strategy} of revision ${updateRevision} is complete: ${stageSlots.length} pods updated and ready`,
    });
  }
  const pause = conditions[3];
  if (
    pause.status === 'True' &&
    (previousPause?.status !== 'True' || previousPause.reason !== pause.reason)
  ) {
    actions.push({
      type: 'event',
      eventType: failure ? 'Warning' : 'Normal',
      reason: 'Paused',
      message: pause.message,
    });
  }

  // Revision history: keep what is in use and the newest beyond it.
  const inUse = new Set<string>([updateRevision]);
  if (nextCurrentRevision) inUse.add(nextCurrentRevision);
  for (const pod of observation.pods) {
    const revision = revisionOf(pod);
    if (revision) inUse.add(revision);
  }
  for (const name of revisionsToPrune(
    observation.revisions,
    inUse,
    spec.revisionHistoryLimit ?? STONE_DEFAULTS.revisionHistoryLimit,
  )) {
    actions.push({ type: 'deleteRevision', name });
  }

  return finish(status, failure ? undefined : degraded || undefined);
}

// Whether the Service lacks what the Stone wants of it; fields the API
// server defaulted (protocols, target ports, cluster IPs) are not differences.
function serviceDiffers(existing: V1Service, wanted: V1Service): boolean {
  return !(
    containedIn(wanted.metadata!.labels, existing.metadata?.labels) &&
    containedIn(wanted.spec, existing.spec)
  );
}

function containedIn(wanted: unknown, existing: unknown): boolean {
  if (Array.isArray(wanted)) {
    return (
      Array.isArray(existing) &&
      wanted.length === existing.length &&
      wanted.every((w, i) => containedIn(w, existing[i]))
    );
  }
  if (wanted !== null && typeof wanted === 'object') {
    return (
      existing !== null &&
      typeof existing === 'object' &&
      Object.entries(wanted).every(([k, v]) =>
        v === undefined ? true : containedIn(v, (existing as any)[k]),
      )
    );
  }
  return wanted === existing;
}
