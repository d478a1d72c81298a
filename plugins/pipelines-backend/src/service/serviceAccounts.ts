import { Config } from '@backstage/config';
import { InputError } from '@backstage/errors';

/**
 * One entry of an allow-list of named objects in config
 * (`pipelines.serviceAccounts`, `pipelines.workspaces.secrets`, …).
 * @public
 */
export interface AllowedObject {
  name: string;
  /** Only in this namespace; any namespace when unset. */
  namespace?: string;
}

/** One entry of `pipelines.serviceAccounts`. @public */
export type AllowedServiceAccount = AllowedObject;

/**
 * Objects a platform team lists in config by name: a plain name is allowed
 * in every namespace, `{ name, namespace }` only in that namespace.
 * @public
 */
export class NamedObjectAllowList {
  constructor(
    /** The config key the list is read from, for messages. */
    readonly key: string,
    readonly entries: readonly AllowedObject[] = [],
  ) {}

  /** Reads the list at `key`: names, or `{ name, namespace? }`, of `what` (e.g. "service account"). */
  static fromConfig(
    config: Config,
    key: string,
    what: string,
  ): NamedObjectAllowList {
    const raw = config.getOptional(key);
    if (raw === undefined) return new NamedObjectAllowList(key);
    if (!Array.isArray(raw)) {
      throw new Error(
        `${key} must be a list of ${what} names or { name, namespace } entries`,
      );
    }
    const entries = raw.map((entry, i): AllowedObject => {
      if (typeof entry === 'string' && entry) return { name: entry };
      if (
        entry &&
        typeof entry === 'object' &&
        typeof (entry as any).name === 'string' &&
        (entry as any).name &&
        ((entry as any).namespace === undefined ||
          typeof (entry as any).namespace === 'string') &&
        Object.keys(entry).every(k => k === 'name' || k === 'namespace')
      ) {
        const { name, namespace } = entry as unknown as AllowedObject;
        return namespace ? { name, namespace } : { name };
      }
      throw new Error(
        `${key}[${i}] must be a ${what} name or { name, namespace }, not ${JSON.stringify(
          entry,
        )}`,
      );
    });
    return new NamedObjectAllowList(key, entries);
  }

  /** The names allowed in a namespace. */
  allowedIn(namespace: string): string[] {
    return [
      ...new Set(
        this.entries
          .filter(e => !e.namespace || e.namespace === namespace)
          .map(e => e.name),
      ),
    ];
  }

  allows(namespace: string, name: string): boolean {
    return this.allowedIn(namespace).includes(name);
  }

  /** Whether some entries hold only in their namespace. */
  hasNamespacedEntries(): boolean {
    return this.entries.some(e => e.namespace);
  }
}

const KEY = 'pipelines.serviceAccounts';

/**
 * The service accounts a user may name when starting or rerunning a run
 * (`pipelines.serviceAccounts`). A run's pods act as that account in the
 * cluster, so the portal never lets a user pick one the platform team has
 * not listed. Default: none, so runs use what Tekton decides (the Pipeline's
 * taskRunTemplate or the namespace's `default`).
 * @public
 */
export class ServiceAccountAllowList {
  private readonly list: NamedObjectAllowList;

  constructor(entries: readonly AllowedServiceAccount[] = []) {
    this.list = new NamedObjectAllowList(KEY, entries);
  }

  /** Reads `pipelines.serviceAccounts`: names, or `{ name, namespace? }`. */
  static fromConfig(config: Config): ServiceAccountAllowList {
    return new ServiceAccountAllowList(
      NamedObjectAllowList.fromConfig(config, KEY, 'service account').entries,
    );
  }

  /** The names allowed in a namespace. */
  allowedIn(namespace: string): string[] {
    return this.list.allowedIn(namespace);
  }

  /** Throws a 400 naming the allowed accounts unless `name` is one of them. */
  check(namespace: string, name: string, context = ''): void {
    if (this.list.allows(namespace, name)) return;
    const allowed = this.list.allowedIn(namespace);
    throw new InputError(
      `${context}serviceAccountName "${name}" is not allowed${
        this.list.hasNamespacedEntries() ? ` in namespace "${namespace}"` : ''
      }; allowed: ${
        allowed.length
          ? allowed.map(n => `"${n}"`).join(', ')
          : 'none, leave it unset'
      } (${KEY} in app-config)`,
    );
  }
}
