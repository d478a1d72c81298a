export * from './labels';
export {
  buildNodes,
  defaultNodes,
  defaultTopologySpec,
  loadTopologyFile,
  parseTopology,
  TopologyError,
  KUBELET_VERSION,
  CONTAINER_RUNTIME_VERSION,
} from './topology';
export type {
  BuildNodesOptions,
  HostSpec,
  NodeResources,
  NodeTemplate,
  RackSpec,
  TopologySpec,
  ZoneSpec,
} from './topology';
