import { Config } from '@backstage/config';
import { InputError } from '@backstage/errors';

const KEY = 'pipelines.serviceAccounts';

/** One entry of `pipelines.serviceAccounts`. @public */
export interface AllowedServiceAccount {
  name: string;
  /** Only in this namespace; any namespace when unset. */
  namespace?: string;
}

/**
 * The service accounts a user may name when starting or rerunning a run
 * (`pipelines.serviceAccounts`). A run's pods act as that account in the
 * cluster, so the portal never lets a user pick one the platform team has
 * not listed. Default: none, so runs use what Tekton decides (the Pipeline's
 * taskRunTemplate or the namespace's `default`).
 * @public
 */
export class ServiceAccountAllowList {
  constructor(private readonly entries: AllowedServiceAccount[] = []) {}

  /** Reads `pipelines.serviceAccounts`: names, or `{ name, namespace? }`. */
  static fromConfig(config: Config): ServiceAccountAllowList {
    const raw = config.getOptional(KEY);
    if (raw === undefined) return new ServiceAccountAllowList();
    if (!Array.isArray(raw)) {
      throw new Error(
        `${KEY} must be a list of service account names or { name, namespace } entries`,
      );
    }
    const entries = raw.map((entry, i): AllowedServiceAccount => {
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
        const { name, namespace } = entry as unknown as AllowedServiceAccount;
        return namespace ? { name, namespace } : { name };
      }
      throw new Error(
        `${KEY}[${i}] must be a service account name or { name, namespace }, not ${JSON.stringify(
          entry,
        )}`,
      );
    });
    return new ServiceAccountAllowList(entries);
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

  /** Throws a 400 naming the allowed accounts unless `name` is one of them. */
  check(namespace: string, name: string, context = ''): void {
    const allowed = this.allowedIn(namespace);
    if (allowed.includes(name)) return;
    throw new InputError(
      `${context}serviceAccountName "${name}" is not allowed${
        this.entries.some(e => e.namespace)
          ? ` in namespace "${namespace}"`
          : ''
      }; allowed: ${
        allowed.length
          ? allowed.map(n => `"${n}"`).join(', ')
          : 'none, leave it unset'
      } (${KEY} in app-config)`,
    );
  }
}
