import type { V1Node, V1NodeCondition } from '@kubernetes/client-node';

/**
 * A node status heartbeat as the kubelet posts it: every condition's
 * lastHeartbeatTime is now, Ready is True (KubeletReady), and a condition's
 * lastTransitionTime changes only when its status does.
 */
export function heartbeatNodeStatus(
  node: V1Node,
  now: Date,
  /** A condition the kubelet reports besides the node's own (the dev cluster's PodIsolation). */
  extra?: Omit<V1NodeCondition, 'lastHeartbeatTime' | 'lastTransitionTime'>,
): V1Node['status'] {
  const existing = node.status?.conditions ?? [];
  const previous = extra && existing.find(c => c.type === extra.type);
  const added: V1NodeCondition[] =
    extra && !previous
      ? [{ ...extra, lastHeartbeatTime: now, lastTransitionTime: now }]
      : [];
  const conditions: V1NodeCondition[] = [...existing, ...added].map(
    condition => {
      if (extra && condition.type === extra.type && condition !== added[0])
        return {
          ...condition,
          ...extra,
          lastHeartbeatTime: now,
          lastTransitionTime:
            condition.status === extra.status
              ? condition.lastTransitionTime
              : now,
        };
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
