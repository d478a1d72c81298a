import { Config } from '@backstage/config';
import { NotFoundError } from '@backstage/errors';
import { ApiType, Configuration } from '@kubernetes/client-node';
import { ClusterDetails, readClusters, ReadClustersOptions } from './config';
import { makeKeepAliveApiClient } from './keepAliveApiClient';

/**
 * The clusters of the `kubernetes:` config, by name. Shared by Cairn's
 * backends: they all act on the same clusters with the same identity.
 * @public
 */
export class ClusterAccess {
  static fromConfig(
    config: Config,
    options?: ReadClustersOptions,
  ): ClusterAccess {
    return new ClusterAccess(readClusters(config, options));
  }

  private readonly byName: Map<string, ClusterDetails>;
  private readonly clients = new Map<string, Map<unknown, ApiType>>();

  constructor(clusters: ClusterDetails[]) {
    this.byName = new Map(clusters.map(c => [c.name, c]));
  }

  list(): ClusterDetails[] {
    return [...this.byName.values()];
  }

  /** The named cluster; a NotFoundError listing the configured ones if absent. */
  get(name: string): ClusterDetails {
    const cluster = this.byName.get(name);
    if (!cluster) {
      const names = [...this.byName.keys()];
      throw new NotFoundError(
        `cluster "${name}" is not configured; ${
          names.length
            ? `configured clusters: ${names.join(', ')}`
            : 'no clusters are configured in kubernetes.clusterLocatorMethods'
        }`,
      );
    }
    return cluster;
  }

  /**
   * The named cluster's client of one API class, made once: its requests
   * share a keep-alive connection pool (see makeKeepAliveApiClient).
   */
  client<T extends ApiType>(
    name: string,
    ApiClient: new (config: Configuration) => T,
  ): T {
    const cluster = this.get(name);
    let byClass = this.clients.get(name);
    if (!byClass) {
      byClass = new Map();
      this.clients.set(name, byClass);
    }
    let client = byClass.get(ApiClient) as T | undefined;
    if (!client) {
      client = makeKeepAliveApiClient(cluster.kubeConfig, ApiClient);
      byClass.set(ApiClient, client);
    }
    return client;
  }
}
