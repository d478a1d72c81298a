import type { V1Pod, V1PodTemplateSpec } from '@kubernetes/client-node';
import { LABEL_PRE_PULL, LABEL_PRE_PULL_FOR } from './constants';
import { stoneOwnerReference, templateHash } from './revisions';
import { Stone } from './types';

/*
 * Pre-pulling (`updateStrategy.prePull`): before a node's serving pods are
 * updated in place, a short-lived pod on that node pulls the new images, so
 * a pull failure stops the update with no serving pod harmed.
 */

/** `<revision>-pull-<hash of the node>`. @public */
export function prePullPodName(revision: string, node: string): string {
  return `${revision}-pull-${templateHash({ metadata: { name: node } })}`;
}

/**
 * The pod that pulls `images` on `node` for `revision`: bound to the node,
 * never restarted, each image in a container running a no-op; with the
 * template's pull secrets and tolerations, which the serving pods pull and
 * run with.
 * @public
 */
export function buildPrePullPod(options: {
  stone: Stone;
  revision: string;
  node: string;
  images: string[];
  template: V1PodTemplateSpec;
}): V1Pod {
  const { stone, revision, node, images, template } = options;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: prePullPodName(revision, node),
      namespace: stone.metadata.namespace,
      labels: {
        [LABEL_PRE_PULL]: revision,
        [LABEL_PRE_PULL_FOR]: stone.metadata.name!,
      },
      ownerReferences: [stoneOwnerReference(stone)],
    },
    spec: {
      nodeName: node,
      restartPolicy: 'Never',
      terminationGracePeriodSeconds: 0,
      ...(template.spec?.imagePullSecrets
        ? { imagePullSecrets: template.spec.imagePullSecrets }
        : {}),
      ...(template.spec?.tolerations
        ? { tolerations: template.spec.tolerations }
        : {}),
      containers: images.map((image, i) => ({
        name: `pull-${i}`,
        image,
        command: ['true'],
      })),
    },
  };
}

// The image is on the node even when the no-op cannot start in it.
const STARTED_REASONS = [
  'RunContainerError',
  'CreateContainerError',
  'StartError',
];

/**
 * How a pre-pull pod is doing: `pulled` once every image is on the node,
 * `failed` (with the container and the kubelet's reason) on ImagePullBackOff,
 * else `pulling`.
 * @public
 */
export function prePullState(
  pod: V1Pod,
):
  | { state: 'pulled' | 'pulling' }
  | { state: 'failed'; container: string; reason: string; message?: string } {
  const statuses = pod.status?.containerStatuses ?? [];
  for (const s of statuses) {
    if (s.state?.waiting?.reason === 'ImagePullBackOff') {
      return {
        state: 'failed',
        container: s.name,
        reason: 'ImagePullBackOff',
        message: s.state.waiting.message,
      };
    }
  }
  const pulled =
    statuses.length === (pod.spec?.containers.length ?? 0) &&
    statuses.every(
      s =>
        !!s.state?.running ||
        !!s.state?.terminated ||
        STARTED_REASONS.includes(s.state?.waiting?.reason ?? ''),
    );
  return { state: pulled ? 'pulled' : 'pulling' };
}
