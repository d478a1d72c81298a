import { AGGREGATED_DISCOVERY_CONTENT_TYPE } from './discovery';
import type { IncludeObject } from './table';

/*
 * Content negotiation for responses (the Accept header) as kube-apiserver
 * does it for JSON clients: plain JSON, server-side Table printing, and the
 * aggregated discovery document.
 */

interface MediaRange {
  type: string;
  params: Record<string, string>;
}

export function parseAccept(header: string | undefined): MediaRange[] {
  if (!header) return [{ type: '*/*', params: {} }];
  return header.split(',').map(part => {
    const [type, ...rawParams] = part.split(';').map(p => p.trim());
    const params: Record<string, string> = {};
    for (const p of rawParams) {
      const eq = p.indexOf('=');
      if (eq > 0) params[p.slice(0, eq).trim()] = p.slice(eq + 1).trim();
    }
    return { type: type.toLowerCase(), params };
  });
}

export type Representation =
  | { kind: 'json' }
  | { kind: 'table' }
  | { kind: 'partialMetadata' }
  | { kind: 'aggregatedDiscovery' };

const isJson = (type: string) =>
  type === 'application/json' || type === '*/*' || type === 'application/*';

/**
 * The first representation in Accept the server can produce for a resource
 * request; undefined when none (406).
 */
export function negotiateResource(
  accept: string | undefined,
): Representation | undefined {
  for (const range of parseAccept(accept)) {
    if (!isJson(range.type)) continue;
    const { as, g, v } = range.params;
    if (!as) return { kind: 'json' };
    if (g !== 'meta.k8s.io' || (v !== 'v1' && v !== 'v1beta1')) continue;
    if (as === 'Table') return { kind: 'table' };
    if (as === 'PartialObjectMetadata' || as === 'PartialObjectMetadataList') {
      return { kind: 'partialMetadata' };
    }
  }
  return undefined;
}

/** For /api and /apis: aggregated (v2) discovery if asked for, else the legacy documents. */
export function negotiateDiscovery(
  accept: string | undefined,
): Representation | undefined {
  for (const range of parseAccept(accept)) {
    if (!isJson(range.type)) continue;
    const { as, g, v } = range.params;
    if (!as) return { kind: 'json' };
    if (
      as === 'APIGroupDiscoveryList' &&
      g === 'apidiscovery.k8s.io' &&
      v === 'v2'
    ) {
      return { kind: 'aggregatedDiscovery' };
    }
  }
  return undefined;
}

export const ACCEPTED_MEDIA_TYPES = ['application/json'];

export { AGGREGATED_DISCOVERY_CONTENT_TYPE };

export function includeObjectParam(value: string | null): IncludeObject {
  if (value === 'None' || value === 'Object') return value;
  return 'Metadata';
}
