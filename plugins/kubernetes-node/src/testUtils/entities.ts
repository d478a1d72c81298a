import { Entity } from '@backstage/catalog-model';

/*
 * Test support: catalog entities as Cairn's backends read them. Each test
 * names its own entities and annotations; this only spells out the rest of
 * a Component.
 */

/** A Component in namespace `default` with these annotations. @public */
export function component(
  name: string,
  annotations: Record<string, string>,
  owner = 'team-a',
): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name, namespace: 'default', annotations },
    spec: { type: 'service', lifecycle: 'production', owner },
  };
}

/** Each Component's owner, by entity ref. @public */
export function ownersOf(entities: Entity[]): Record<string, string> {
  return Object.fromEntries(
    entities.map(e => [
      `component:default/${e.metadata.name}`,
      e.spec!.owner as string,
    ]),
  );
}
