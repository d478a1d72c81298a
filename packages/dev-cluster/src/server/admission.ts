import type { KubeObject } from '../store/types';
import type { UserInfo } from './authentication';
import type { ResourceType } from './registry';

/*
 * The admission seam: plugins see every write after defaulting, like
 * kube-apiserver's admission chain: mutating plugins before validation (they
 * may return a changed object), validating plugins after it. Either may throw
 * an ApiError to reject the request.
 */

export type AdmissionOperation = 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT';

export interface AdmissionRequest {
  operation: AdmissionOperation;
  type: ResourceType;
  subresource: string;
  namespace: string;
  name: string;
  /** The object being written (absent for DELETE). */
  object?: KubeObject;
  oldObject?: KubeObject;
  user: UserInfo;
  dryRun: boolean;
}

/** Mutating plugins run before validation, validating ones after it. */
export type AdmissionPhase = 'mutating' | 'validating';

export interface AdmissionPlugin {
  name: string;
  phase: AdmissionPhase;
  /** Returns the changed object (mutating plugins), or nothing; throws an ApiError to reject. */
  admit(request: AdmissionRequest): KubeObject | void;
}
