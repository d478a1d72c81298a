import type { KubeObject, StoreEvent } from '../store/types';
import { apiVersionOf, ResourceType } from './registry';

/*
 * JSON encoding with caches: stored objects are immutable, so each version of
 * an object is serialized once however many lists and watchers send it, and
 * each watch event once per representation.
 */

const objectJson = new WeakMap<object, string>();
const listItemJson = new WeakMap<object, string>();

export function encodeObject(object: object): string {
  let json = objectJson.get(object);
  if (json === undefined) {
    json = JSON.stringify(object);
    objectJson.set(object, json);
  }
  return json;
}

/** The object as served at `type`'s version (custom resources are stored in one). */
export function servedAs(type: ResourceType, object: KubeObject): KubeObject {
  const apiVersion = apiVersionOf(type);
  if (object.apiVersion === apiVersion) return object;
  return { ...object, apiVersion };
}

/**
 * A list item. Built-in lists omit the items' kind and apiVersion, as the
 * typed lists of kube-apiserver do; custom resource lists keep them.
 */
function encodeListItem(type: ResourceType, object: KubeObject): string {
  if (type.custom) return encodeObject(servedAs(type, object));
  let json = listItemJson.get(object);
  if (json === undefined) {
    const full = encodeObject(object);
    const prefix = `{"kind":${JSON.stringify(
      type.kind,
    )},"apiVersion":${JSON.stringify(apiVersionOf(type))},`;
    if (full.startsWith(prefix)) {
      json = `{${full.slice(prefix.length)}`;
    } else {
      const { kind: _k, apiVersion: _v, ...rest } = object;
      json = JSON.stringify(rest);
    }
    listItemJson.set(object, json);
  }
  return json;
}

export function encodeList(
  type: ResourceType,
  items: KubeObject[],
  metadata: Record<string, unknown>,
): string {
  const parts = new Array<string>(items.length);
  for (let i = 0; i < items.length; i++)
    parts[i] = encodeListItem(type, items[i]);
  return `{"kind":${JSON.stringify(
    type.listKind,
  )},"apiVersion":${JSON.stringify(
    apiVersionOf(type),
  )},"metadata":${JSON.stringify(metadata)},"items":[${parts.join(',')}]}`;
}

/** One watch event line, memoized on the event per representation and type. */
export function encodeWatchEvent(
  event: StoreEvent,
  type: string,
  representation: string,
  encodeBody: () => string,
): string {
  const cacheKey = `${type}:${representation}`;
  event.encoded ??= new Map();
  let line = event.encoded.get(cacheKey);
  if (line === undefined) {
    line = `{"type":"${type}","object":${encodeBody()}}\n`;
    event.encoded.set(cacheKey, line);
  }
  return line;
}
