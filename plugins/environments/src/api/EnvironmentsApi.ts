import { createApiRef } from '@backstage/core-plugin-api';
import type {
  ClusterList,
  ClusterTopology,
  CreateEnvironmentRequest,
  CreateEnvironmentRequestBody,
  DecideEnvironmentRequestBody,
  EnvironmentList,
  EnvironmentRequestList,
  EnvironmentRequestsQuery,
  EnvironmentRequestView,
  EnvironmentsQuery,
  EnvironmentSummary,
  ImportNodeLabelsRequest,
  ImportNodeLabelsResult,
  LabelNodesRequest,
  TopologyNode,
  UpdateEnvironmentRequest,
} from '@cairn/plugin-environments-common';

/** Names an environment. @public */
export interface EnvironmentRef {
  cluster: string;
  name: string;
}

/**
 * The environments backend (`/api/environments`), as the UI uses it. A
 * failed request throws `ResponseError` with the server's message.
 * @public
 */
export interface EnvironmentsApi {
  listEnvironments(query?: EnvironmentsQuery): Promise<EnvironmentList>;
  getEnvironment(ref: EnvironmentRef): Promise<EnvironmentSummary>;
  createEnvironment(
    cluster: string,
    request: CreateEnvironmentRequest,
  ): Promise<EnvironmentSummary>;
  updateEnvironment(
    ref: EnvironmentRef,
    request: UpdateEnvironmentRequest,
  ): Promise<EnvironmentSummary>;
  deleteEnvironment(ref: EnvironmentRef): Promise<void>;
  /** Ask ops for a new environment or more quota. */
  createRequest(
    request: CreateEnvironmentRequestBody,
  ): Promise<EnvironmentRequestView>;
  listRequests(
    query?: EnvironmentRequestsQuery,
  ): Promise<EnvironmentRequestList>;
  getRequest(id: string): Promise<EnvironmentRequestView>;
  approveRequest(
    id: string,
    decision?: DecideEnvironmentRequestBody,
  ): Promise<EnvironmentRequestView>;
  rejectRequest(
    id: string,
    decision?: DecideEnvironmentRequestBody,
  ): Promise<EnvironmentRequestView>;
  listClusters(): Promise<ClusterList>;
  getTopology(cluster: string): Promise<ClusterTopology>;
  labelNodes(
    cluster: string,
    request: LabelNodesRequest,
  ): Promise<{ nodes: TopologyNode[] }>;
  importNodeLabels(
    cluster: string,
    request: ImportNodeLabelsRequest,
  ): Promise<ImportNodeLabelsResult>;
}

/** @public */
export const environmentsApiRef = createApiRef<EnvironmentsApi>({
  id: 'plugin.environments.api',
});
