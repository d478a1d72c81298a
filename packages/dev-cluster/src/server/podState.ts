/** Whether a pod's Ready condition is True. */
export const isPodReady = (pod: any): boolean =>
  (pod.status?.conditions ?? []).some(
    (c: any) => c.type === 'Ready' && c.status === 'True',
  );

/** Whether a pod has ended (Succeeded or Failed): its containers will not run again. */
export const isPodTerminal = (pod: any): boolean =>
  pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';
