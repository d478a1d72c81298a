import type { ObjectRef } from './types';

/*
 * Where a taskRef or pipelineRef points. The dev cluster resolves refs by
 * name and through Tekton's cluster resolver (params kind, name, namespace);
 * other resolvers (git, bundles, hub, http) need the network and are not
 * offered.
 */

export type RefTarget =
  | { namespace: string; name: string; resolver?: string }
  | { error: string };

/** The object a ref names, or why it cannot be resolved here. */
export function refTarget(
  ref: ObjectRef,
  kind: 'task' | 'pipeline',
  namespace: string,
): RefTarget {
  if (!ref.resolver) return { namespace, name: ref.name ?? '' };
  if (ref.resolver !== 'cluster')
    return {
      error: `resolver type ${ref.resolver} is not enabled in the dev cluster (only "cluster" is)`,
    };
  const param = (name: string) => {
    const value = ref.params?.find(p => p.name === name)?.value;
    return typeof value === 'string' ? value : undefined;
  };
  const name = param('name');
  if (!name) return { error: 'missing required cluster resolver params: name' };
  const wanted = param('kind') ?? 'task';
  if (wanted !== kind)
    return {
      error: `cluster resolver: resource kind ${wanted} does not match the expected ${kind}`,
    };
  return {
    namespace: param('namespace') ?? namespace,
    name,
    resolver: 'cluster',
  };
}
