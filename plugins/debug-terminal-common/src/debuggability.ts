import type { DebugMode } from '@cairn/operators-api';
import type { DebugPodSummary } from './api';

/*
 * Whether a debug session can start on a container: the one rule the pods
 * list (Debug disabled, with the reason) and the backend (409 before
 * anything is created) both apply, so the button never offers what the
 * server refuses.
 */

/** Whether a debug session can start, and why not when it cannot. @public */
export type DebugEligibility =
  | { debuggable: true }
  | { debuggable: false; reason: string };

/** Phases after which a pod's containers never run again. */
const FINISHED_PHASES = ['Succeeded', 'Failed'];

/**
 * Whether a debug session in `mode` can start next to `container` of `pod`;
 * without a mode, whether one of the modes can.
 *
 * - A finished pod (Succeeded, Failed) has no debuggable container: an
 *   ephemeral container never starts in it, and a copy would run its
 *   finished work again.
 * - An ephemeral container joins the running pod and its target's process
 *   namespace, so it needs the pod Running and the target container running.
 * - A copy is a new pod, with the target kept asleep: it debugs a pod that
 *   cannot run (crash-looping, Pending, Unknown).
 * @public
 */
export function debugEligibility(
  pod: DebugPodSummary,
  container: string,
  mode?: DebugMode,
): DebugEligibility {
  const podName = `pod ${pod.namespace}/${pod.name}`;
  const target = pod.containers.find(c => c.name === container);
  if (!target)
    return {
      debuggable: false,
      reason: `${podName} has no container "${container}"`,
    };
  if (pod.phase && FINISHED_PHASES.includes(pod.phase))
    return {
      debuggable: false,
      reason: `${podName} has finished (phase ${pod.phase}): its containers will not run again, so no debug container can start in it`,
    };
  if (mode !== 'ephemeral') return { debuggable: true };
  if (pod.phase !== 'Running')
    return {
      debuggable: false,
      reason: `${podName} is ${
        pod.phase ?? 'in an unknown phase'
      }: an ephemeral container needs a running pod; a copy of the pod can debug it`,
    };
  if (target.state !== 'running')
    return {
      debuggable: false,
      reason: `container "${container}" of ${podName} is ${target.state}${
        target.reason ? ` (${target.reason})` : ''
      }: an ephemeral container joins a running container; a copy of the pod can debug it`,
    };
  return { debuggable: true };
}
