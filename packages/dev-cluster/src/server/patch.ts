import {
  applyPatch,
  JsonPatchError,
  Operation,
  validate,
} from 'fast-json-patch';
import { ApiError, badRequest } from './status';
import { deepClone, isPlainObject } from './objects';

/*
 * The patch types kube-apiserver accepts. Strategic merge patch needs the
 * patch strategies of the built-in types; it is supplied by the machinery
 * module through `StrategicMergePatcher`.
 */

export const JSON_PATCH = 'application/json-patch+json';
export const MERGE_PATCH = 'application/merge-patch+json';
export const STRATEGIC_MERGE_PATCH = 'application/strategic-merge-patch+json';
export const APPLY_PATCH = 'application/apply-patch+yaml';

export interface GroupVersionKind {
  group: string;
  version: string;
  kind: string;
}

/** Applies a strategic merge patch to a built-in object of kind `gvk`. */
export type StrategicMergePatcher = (
  original: Record<string, unknown>,
  patch: Record<string, unknown>,
  gvk: GroupVersionKind,
) => Record<string, unknown>;

function unprocessable(message: string): ApiError {
  return new ApiError(422, 'Invalid', message);
}

/** RFC 6902 JSON patch. */
export function applyJsonPatch(
  original: Record<string, unknown>,
  patch: unknown,
): Record<string, unknown> {
  if (!Array.isArray(patch)) {
    throw badRequest(
      'json: cannot unmarshal object into Go value of type jsonpatch.Patch',
    );
  }
  const operations = patch as Operation[];
  const invalidOp = operations.find(
    op => !isPlainObject(op) || typeof op.op !== 'string',
  );
  if (invalidOp) throw badRequest('Unexpected kind: unknown');
  try {
    validate(operations);
  } catch (e) {
    if (e instanceof JsonPatchError && e.name === 'OPERATION_OP_INVALID') {
      throw badRequest(`Unexpected kind: ${(e.operation as any)?.op}`);
    }
  }
  try {
    return applyPatch(deepClone(original), operations, true, true)
      .newDocument as Record<string, unknown>;
  } catch (e) {
    if (e instanceof JsonPatchError) throw unprocessable(jsonPatchMessage(e));
    throw e;
  }
}

/** The messages of evanphx/json-patch, which kube-apiserver returns. */
function jsonPatchMessage(e: JsonPatchError): string {
  const op = e.operation as Operation | undefined;
  switch (e.name) {
    case 'TEST_OPERATION_FAILED':
      return `testing value ${op?.path} failed: test failed`;
    case 'OPERATION_PATH_UNRESOLVABLE':
    case 'OPERATION_PATH_CANNOT_ADD':
      return `${op?.op} operation does not apply: doc is missing path: "${op?.path}": missing value`;
    case 'OPERATION_FROM_UNRESOLVABLE':
      return `${op?.op} operation does not apply: doc is missing from path: "${
        (op as any)?.from
      }": missing value`;
    default:
      return e.message.split('\n')[0];
  }
}

/** RFC 7386 JSON merge patch: objects merge recursively, null deletes, anything else replaces. */
export function mergePatch(original: unknown, patch: unknown): unknown {
  if (!isPlainObject(patch)) return deepClone(patch);
  const result: Record<string, unknown> = isPlainObject(original)
    ? { ...original }
    : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = mergePatch(result[key], value);
  }
  return result;
}

export function applyMergePatch(
  original: Record<string, unknown>,
  patch: unknown,
): Record<string, unknown> {
  if (!isPlainObject(patch)) {
    throw badRequest(
      'json: cannot unmarshal array into Go value of type map[string]interface {}',
    );
  }
  return mergePatch(original, patch) as Record<string, unknown>;
}
