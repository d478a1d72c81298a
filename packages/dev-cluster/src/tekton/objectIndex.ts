/*
 * An index over an informer's cache, as client-go's Indexer: the objects
 * that share a value of the index function (e.g. the TaskRuns of one
 * PipelineRun), kept current from the informer's add, update and delete
 * events, so a reconcile finds them without listing through the API.
 */

type Named = { metadata?: { namespace?: string; name?: string } };

function keyOf(object: Named): string {
  return `${object.metadata?.namespace ?? ''}/${object.metadata?.name ?? ''}`;
}

export class ObjectIndex<T extends Named> {
  private readonly objectsByValue = new Map<string, Map<string, T>>();
  /** The values each object is indexed under, to unindex it when it changes. */
  private readonly valuesByKey = new Map<string, string[]>();

  constructor(private readonly indexValues: (object: T) => string[]) {}

  /** Indexes an added or updated object (replacing its previous version). */
  readonly upsert = (object: T): void => {
    this.remove(object);
    const values = this.indexValues(object);
    if (!values.length) return;
    const key = keyOf(object);
    this.valuesByKey.set(key, values);
    for (const value of values) {
      let objects = this.objectsByValue.get(value);
      if (!objects) this.objectsByValue.set(value, (objects = new Map()));
      objects.set(key, object);
    }
  };

  readonly remove = (object: T): void => {
    const key = keyOf(object);
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
