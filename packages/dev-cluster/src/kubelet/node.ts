import type { V1Node, V1NodeCondition } from '@kubernetes/client-node';

/**
 * A node status heartbeat as the kubelet posts it: every condition's
 * lastHeartbeatTime is now, Ready is True (KubeletReady), and a condition's
 * lastTransitionTime changes only when its status does.
 */
export function heartbeatNodeStatus(node: V1Node, now: Date): V1Node['status'] {
  const conditions: V1NodeCondition[] = (node.status?.conditions ?? []).map(
    condition => {
      if (condition.type !== 'Ready')
        return { ...condition, lastHeartbeatTime: now };
      const changed = condition.status !== 'True';
      return {
        ...condition,
        status: 'True',
        reason: 'KubeletReady',
        message: 'kubelet is posting ready status',
        lastHeartbeatTime: now,
        lastTransitionTime: changed ? now : condition.lastTransitionTime,
      };
    },
  );
  return { ...node.status, conditions };
}
