import { KUBERNETES_NAMESPACE_ANNOTATION } from '@cairn/plugin-kubernetes-common';

/**
 * Whether an entity has environments to show: a group (those it owns or is
 * a tenant of), or an entity naming its namespace
 * (`backstage.io/kubernetes-namespace`).
 * @public
 */
export function isEnvironmentsAvailable(entity: {
  kind: string;
  metadata: { annotations?: Record<string, string> };
}): boolean {
  return (
    entity.kind.toLocaleLowerCase('en-US') === 'group' ||
    Boolean(
      entity.metadata.annotations?.[KUBERNETES_NAMESPACE_ANNOTATION]?.trim(),
    )
  );
}
