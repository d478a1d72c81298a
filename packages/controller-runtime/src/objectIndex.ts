/*
 * An index over an informer's cache, as client-go's Indexer: the objects
 * that share a value of the index function (e.g. the pods of one owner),
 * kept current from the informer's add, update and delete events, so a
 * reconcile finds them without listing through the API.
 */

export type Named = {
  metadata?: {
    namespace?: string;
    name?: string;
    resourceVersion?: string;
    labels?: Record<string, string>;
  };
};

/** An object with owner references, as byOwner reads them. */
export type Owned = Named & {
  metadata?: {
    ownerReferences?: Array<{ kind: string; name: string }>;
  };
};

/** The values an object is indexed under (none: not indexed). */
export type IndexFunction<T> = (object: T) => string[];

/** client-go's cache key: `namespace/name`, or `name` for cluster-scoped objects. */
export function objectKey(object: Named): string {
  const { namespace, name = '' } = object.metadata ?? {};
  return namespace ? `${namespace}/${name}` : name;
}

/** The inverse of objectKey. */
export function splitObjectKey(key: string): {
  namespace?: string;
  name: string;
} {
  const slash = key.indexOf('/');
  return slash < 0
    ? { name: key }
    : { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}

/** client-go's MetaNamespaceIndexFunc: objects by namespace. */
export const byNamespace: IndexFunction<Named> = object =>
  object.metadata?.namespace ? [object.metadata.namespace] : [];

/** Objects by the value of one label, per namespace: `namespace/value`. */
export function byLabel(label: string): IndexFunction<Named> {
  return object => {
    const value = object.metadata?.labels?.[label];
    return value === undefined
      ? []
      : [`${object.metadata?.namespace ?? ''}/${value}`];
  };
}

/** The value byOwner indexes an owned object under. */
export function ownerIndexValue(
  kind: string,
  namespace: string | undefined,
  name: string,
): string {
  return `${kind}/${namespace ?? ''}/${name}`;
}

/**
 * Objects by their owners (owner references are namespace-local):
 * `Kind/namespace/name` of each owner, optionally only owners of one kind.
 */
export function byOwner(kind?: string): IndexFunction<Owned> {
  return object =>
    (object.metadata?.ownerReferences ?? [])
      .filter(owner => kind === undefined || owner.kind === kind)
      .map(owner =>
        ownerIndexValue(owner.kind, object.metadata?.namespace, owner.name),
      );
}

export class ObjectIndex<T extends Named> {
  private readonly objectsByValue = new Map<string, Map<string, T>>();
  /** The values each object is indexed under, to unindex it when it changes. */
  private readonly valuesByKey = new Map<string, string[]>();

  constructor(private readonly indexValues: IndexFunction<T>) {}

  /** Indexes an added or updated object (replacing its previous version). */
  readonly upsert = (object: T): void => {
    this.remove(object);
    const values = this.indexValues(object);
    if (!values.length) return;
    const key = objectKey(object);
    this.valuesByKey.set(key, values);
    for (const value of values) {
      let objects = this.objectsByValue.get(value);
      if (!objects) this.objectsByValue.set(value, (objects = new Map()));
      objects.set(key, object);
    }
  };

  readonly remove = (object: T): void => {
    const key = objectKey(object);
    for (const value of this.valuesByKey.get(key) ?? []) {
      const objects = this.objectsByValue.get(value)!;
      objects.delete(key);
      if (!objects.size) this.objectsByValue.delete(value);
    }
    this.valuesByKey.delete(key);
  };

  /** The objects indexed under `value`. */
  get(value: string): T[] {
    return [...(this.objectsByValue.get(value)?.values() ?? [])];
  }
}
