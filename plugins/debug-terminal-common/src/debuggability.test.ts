import type { DebugContainerSummary, DebugPodSummary } from './api';
import { debugEligibility } from './debuggability';

const container = (
  name: string,
  state: DebugContainerSummary['state'],
  reason?: string,
): DebugContainerSummary => ({
  name,
  state,
  ...(reason ? { reason } : {}),
  ready: state === 'running',
  restartCount: 0,
});

const pod = (
  phase: string | undefined,
  ...containers: DebugContainerSummary[]
): DebugPodSummary => ({
  cluster: 'dev',
  namespace: 'shop',
  name: 'web-1',
  ...(phase ? { phase } : {}),
  containers,
  debugContainers: [],
});

const running = pod(
  'Running',
  container('app', 'running'),
  container('sidecar', 'waiting', 'CrashLoopBackOff'),
);

describe('debugEligibility', () => {
  it('lets every mode debug a running container of a running pod', () => {
    for (const mode of ['ephemeral', 'copy', undefined] as const) {
      expect(debugEligibility(running, 'app', mode)).toEqual({
        debuggable: true,
      });
    }
  });

  it.each(['Succeeded', 'Failed'])(
    'refuses every mode on a pod that has finished (%s), naming the pod and its phase',
    phase => {
      const finished = pod(
        phase,
        container(
          'app',
          'terminated',
          phase === 'Failed' ? 'Error' : 'Completed',
        ),
      );
      for (const mode of ['ephemeral', 'copy', undefined] as const) {
        expect(debugEligibility(finished, 'app', mode)).toEqual({
          debuggable: false,
          reason: `pod shop/web-1 has finished (phase ${phase}): its containers will not run again, so no debug container can start in it`,
        });
      }
    },
  );

  it('refuses a container the pod does not have, before looking at the phase', () => {
    expect(
      debugEligibility(pod('Succeeded', container('app', 'terminated')), 'db'),
    ).toEqual({
      debuggable: false,
      reason: 'pod shop/web-1 has no container "db"',
    });
  });

  it('refuses an ephemeral container next to a container that is not running, and says a copy can', () => {
    expect(debugEligibility(running, 'sidecar', 'ephemeral')).toEqual({
      debuggable: false,
      reason:
        'container "sidecar" of pod shop/web-1 is waiting (CrashLoopBackOff): an ephemeral container joins a running container; a copy of the pod can debug it',
    });
    expect(
      debugEligibility(
        pod('Running', container('app', 'unknown')),
        'app',
        'ephemeral',
      ),
    ).toEqual({
      debuggable: false,
      reason:
        'container "app" of pod shop/web-1 is unknown: an ephemeral container joins a running container; a copy of the pod can debug it',
    });
  });

  it('lets a copy debug a crash-looping container, so Debug stays offered for it', () => {
    expect(debugEligibility(running, 'sidecar', 'copy')).toEqual({
      debuggable: true,
    });
    expect(debugEligibility(running, 'sidecar')).toEqual({ debuggable: true });
  });

  it('refuses an ephemeral container in a pod that is not Running yet (or whose phase is unknown), but not a copy', () => {
    const pending = pod('Pending', container('app', 'waiting', 'ErrImagePull'));
    expect(debugEligibility(pending, 'app', 'ephemeral')).toEqual({
      debuggable: false,
      reason:
        'pod shop/web-1 is Pending: an ephemeral container needs a running pod; a copy of the pod can debug it',
    });
    expect(debugEligibility(pending, 'app', 'copy')).toEqual({
      debuggable: true,
    });
    expect(
      debugEligibility(
        pod(undefined, container('app', 'unknown')),
        'app',
        'ephemeral',
      ),
    ).toEqual({
      debuggable: false,
      reason:
        'pod shop/web-1 is in an unknown phase: an ephemeral container needs a running pod; a copy of the pod can debug it',
    });
    expect(
      debugEligibility(pod('Unknown', container('app', 'unknown')), 'app'),
    ).toEqual({ debuggable: true });
  });
});
