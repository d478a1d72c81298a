/**
 * The zod pieces every Cairn API's request schemas share: a parse's problems
 * as messages (`describeIssues`), Kubernetes names refused in Kubernetes'
 * words, catalog entity refs, the path of a namespaced object. A library of
 * its own so each feature's `-common` package builds its schemas on it
 * without depending on another feature. Isomorphic: runs in browsers and
 * Node.
 *
 * @packageDocumentation
 */
export {
  clusterNameSchema,
  describeIssues,
  dns1123LabelSchema,
  dns1123SubdomainSchema,
  entityRefSchema,
  namespaceNameSchema,
  objectPathSchema,
} from './schemas';
export type { ObjectPath } from './schemas';
