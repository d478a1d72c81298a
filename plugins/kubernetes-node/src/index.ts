/**
 * The Kubernetes layer Cairn's backend plugins share: the clusters of the
 * `kubernetes:` config with one keep-alive client pool, Kubernetes errors
 * as messages a person can act on, one watch per kind per cluster, entity
 * scopes and the route helpers that check permissions on them.
 *
 * @packageDocumentation
 */
export * from './clusters';
export * from './watch';
export * from './entities';
export * from './service';
