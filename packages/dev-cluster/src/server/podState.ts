/** Whether a pod's Ready condition is True. */
export const isPodReady = (pod: any): boolean =>
  (pod.status?.conditions ?? []).some(
    (c: any) => c.type === 'Ready' && c.status === 'True',
  );

/** Whether a pod has been Ready for at least minReadySeconds (Kubernetes' IsPodAvailable). */
export function isPodAvailable(
  pod: any,
  minReadySeconds: number,
  now: number,
): boolean {
  const ready = (pod.status?.conditions ?? []).find(
    (c: any) => c.type === 'Ready' && c.status === 'True',
  );
  if (!ready) return false;
  if (!minReadySeconds) return true;
  return now - Date.parse(ready.lastTransitionTime) >= minReadySeconds * 1000;
}

/** Whether a pod has ended (Succeeded or Failed): its containers will not run again. */
export const isPodTerminal = (pod: any): boolean =>
  pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';
