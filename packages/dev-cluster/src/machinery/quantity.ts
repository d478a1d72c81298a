/*
 * Kubernetes `resource.Quantity` lives in @cairn/operators-api, shared with
 * the operators (quota drift) and the portal (quota values validated as
 * Kubernetes does); the dev cluster's machinery uses the same one.
 */
export {
  canonicalQuantity,
  Quantity,
  QUANTITY_FORMAT_ERROR,
  QUANTITY_NUMERIC_ERROR,
  QUANTITY_SUFFIX_ERROR,
  QuantityParseError,
} from '@cairn/operators-api';
export type { QuantityFormat } from '@cairn/operators-api';
