import {
  KubernetesCallContext,
  mapKubernetesError,
} from '@cairn/plugin-kubernetes-node';

/** What to check when the cluster does not serve a Tekton kind. */
export const TEKTON_NOT_SERVED_HINT = 'is Tekton Pipelines installed?';

/**
 * {@link mapKubernetesError} for the Pipelines backend's calls: a kind the
 * cluster does not serve asks whether Tekton Pipelines is installed.
 */
export function mapTektonError(
  error: unknown,
  ctx: KubernetesCallContext,
): Error {
  return mapKubernetesError(error, {
    notServedHint: TEKTON_NOT_SERVED_HINT,
    ...ctx,
  });
}
