import type { KubeObject } from '../store/types';
import type { UserInfo } from './authentication';
import type { ResourceType } from './registry';

/*
 * The admission seam: plugins see every write after defaulting and before
 * validation and storage, like kube-apiserver's mutating/validating admission
 * chain. They may change `object` (mutating) and throw an ApiError to reject.
 */

export type AdmissionOperation = 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT';

export interface AdmissionRequest {
  operation: AdmissionOperation;
  type: ResourceType;
  subresource: string;
  namespace: string;
  name: string;
  /** The object being written (absent for DELETE). Mutating plugins edit it in place. */
  object?: KubeObject;
  oldObject?: KubeObject;
  user: UserInfo;
  dryRun: boolean;
}

export interface AdmissionPlugin {
  name: string;
  admit(request: AdmissionRequest): void;
}
