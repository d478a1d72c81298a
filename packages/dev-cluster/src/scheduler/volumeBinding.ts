import type {
  V1PersistentVolume,
  V1PersistentVolumeClaim,
  V1Pod,
  V1StorageClass,
} from '@kubernetes/client-node';
import { matchesNodeSelectorTerm } from './selectors';
import type { NodeInfo } from './snapshot';
import { FilterStatus, unresolvable } from './status';

/*
 * kube-scheduler's VolumeBinding plugin for the pods' PersistentVolumeClaims:
 * a claim must exist and not be being deleted; a bound claim's volume must
 * be reachable from the node (its node affinity); an unbound claim waits
 * for its first consumer only if its StorageClass says
 * WaitForFirstConsumer — then the scheduler picks the node and the
 * provisioner follows — otherwise the pod waits for the claim to be bound.
 */

/** A claim, the volume it is bound to and its StorageClass (whichever exist). */
export interface ClaimState {
  claim?: V1PersistentVolumeClaim;
  volume?: V1PersistentVolume;
  storageClass?: V1StorageClass;
}

export type ClaimLookup = (namespace: string, claimName: string) => ClaimState;

export const REASON_VOLUME_NODE_AFFINITY =
  'node(s) had volume node affinity conflict';
export const REASON_UNBOUND_IMMEDIATE =
  'pod has unbound immediate PersistentVolumeClaims';
export const REASON_BOUND_TO_MISSING_VOLUME =
  'node(s) unavailable due to one or more pvc(s) bound to non-existent pv(s)';

export interface VolumeBinding {
  /** Set when no node can take the pod whatever it is. */
  preFilterStatus?: FilterStatus;
  filter?: (node: NodeInfo) => FilterStatus | undefined;
  /** Claims that wait for this pod's node (`volume.kubernetes.io/selected-node`). */
  delayedClaims: string[];
}

function claimNames(pod: V1Pod): string[] {
  return (pod.spec?.volumes ?? [])
    .map(v => v.persistentVolumeClaim?.claimName)
    .filter((name): name is string => Boolean(name));
}

export function prepareVolumeBinding(
  pod: V1Pod,
  lookup: ClaimLookup | undefined,
): VolumeBinding {
  const names = claimNames(pod);
  if (!names.length || !lookup) return { delayedClaims: [] };
  const namespace = pod.metadata?.namespace ?? 'default';
  const bound: V1PersistentVolume[] = [];
  const delayedClaims: string[] = [];
  let unboundImmediate = false;
  for (const name of names) {
    const { claim, volume, storageClass } = lookup(namespace, name);
    if (!claim) {
      return {
        preFilterStatus: unresolvable(
          `persistentvolumeclaim "${name}" not found`,
        ),
        delayedClaims: [],
      };
    }
    if (claim.metadata?.deletionTimestamp) {
      return {
        preFilterStatus: unresolvable(
          `persistentvolumeclaim "${name}" is being deleted`,
        ),
        delayedClaims: [],
      };
    }
    if (claim.spec?.volumeName) {
      if (!volume) {
        return {
          preFilterStatus: unresolvable(REASON_BOUND_TO_MISSING_VOLUME),
          delayedClaims: [],
        };
      }
      bound.push(volume);
    } else if (storageClass?.volumeBindingMode === 'WaitForFirstConsumer') {
      delayedClaims.push(name);
    } else {
      unboundImmediate = true;
    }
  }
  if (unboundImmediate) {
    return {
      preFilterStatus: unresolvable(REASON_UNBOUND_IMMEDIATE),
      delayedClaims: [],
    };
  }
  return {
    delayedClaims,
    filter: node => {
      const reachable = bound.every(volume => {
        const terms =
          volume.spec?.nodeAffinity?.required?.nodeSelectorTerms ?? [];
        return (
          terms.length === 0 ||
          terms.some(term => matchesNodeSelectorTerm(term, node.node))
        );
      });
      return reachable ? undefined : unresolvable(REASON_VOLUME_NODE_AFFINITY);
    },
  };
}
