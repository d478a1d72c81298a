import { DNS1123_LABEL_MAX_LENGTH } from '@cairn/plugin-kubernetes-common';

/**
 * Characters Kubernetes appends to a `generateName` (names.SimpleNameGenerator's
 * random suffix).
 */
const GENERATED_SUFFIX_LENGTH = 5;

/**
 * The `generateName` of a run named after `base` (its Pipeline, or the run it
 * repeats). Tekton copies a run's name into label values (`tekton.dev/pipelineRun`
 * on its TaskRuns and pods), which may hold 63 characters, so the prefix
 * leaves room for Kubernetes' 5-character suffix within them; a cut base
 * loses trailing '-' and '.' so the prefix ends in one '-'.
 * @public
 */
export function generatedRunNamePrefix(base: string): string {
  const room = DNS1123_LABEL_MAX_LENGTH - GENERATED_SUFFIX_LENGTH - 1;
  const cut = base.slice(0, room).replace(/[-.]+$/, '');
  return `${cut}-`;
}
