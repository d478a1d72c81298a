import { fieldSelectorMatcher } from '../machinery/fields';
import {
  matchesLabelRequirements,
  parseLabelSelector,
  SelectorParseError,
} from '../machinery/labels';
import { PatchError, strategicMergePatch } from '../machinery/strategicMerge';
import type { SelectorCompiler } from './apiServer';
import type { StrategicMergePatcher } from './patch';
import { ApiError, badRequest } from './status';

/*
 * The machinery module's selectors and strategic merge patch, adapted to the
 * server's seams (its errors become the ApiErrors the server writes).
 */

function rethrow(e: unknown): never {
  if (e instanceof SelectorParseError) throw badRequest(e.message);
  if (e instanceof PatchError) throw ApiError.fromStatus(e.status);
  throw e;
}

export const machinerySelectors: SelectorCompiler = {
  labelSelector(selector) {
    try {
      const requirements = parseLabelSelector(selector);
      return labels => matchesLabelRequirements(requirements, labels);
    } catch (e) {
      return rethrow(e);
    }
  },
  fieldSelector(type, selector) {
    try {
      const matches = fieldSelectorMatcher(
        {
          group: type.group,
          resource: type.plural,
          selectableFields: type.custom?.selectableFields,
        },
        selector,
      );
      return object => matches(object as any);
    } catch (e) {
      return rethrow(e);
    }
  },
};

export const machineryStrategicMergePatch: StrategicMergePatcher = (
  original,
  patch,
  gvk,
) => {
  try {
    return strategicMergePatch(original, patch, gvk.group, gvk.kind);
  } catch (e) {
    return rethrow(e);
  }
};
