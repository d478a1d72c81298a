import type { KubeObject, StoreEvent } from '../store/types';
import { apiVersionOf, ResourceType } from './registry';

/*
 * JSON encoding with caches: stored objects are immutable, so each version of
 * an object is serialized once however many lists and watchers send it, and
 * each watch event once per representation.
 */

const objectJson = new WeakMap<object, string>();
const listItemBytes = new WeakMap<object, Buffer>();

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
 * A list item, encoded once per object version. Built-in lists omit the
 * items' kind and apiVersion, as the typed lists of kube-apiserver do; custom
 * resource lists keep them.
 */
function encodeListItem(type: ResourceType, object: KubeObject): Buffer {
  if (type.custom) return Buffer.from(encodeObject(servedAs(type, object)));
  let bytes = listItemBytes.get(object);
  if (bytes === undefined) {
    // The full JSON only on the way: a listed object keeps one encoding (the
    // item's bytes), not also the string (unless something else cached it).
    const full = objectJson.get(object) ?? JSON.stringify(object);
    const prefix = `{"kind":${JSON.stringify(
      type.kind,
    )},"apiVersion":${JSON.stringify(apiVersionOf(type))},`;
    let json: string;
    if (full.startsWith(prefix)) {
      json = `{${full.slice(prefix.length)}`;
    } else {
      const { kind: _k, apiVersion: _v, ...rest } = object;
      json = JSON.stringify(rest);
    }
    bytes = Buffer.from(json);
    listItemBytes.set(object, bytes);
  }
  return bytes;
}

const COMMA = Buffer.from(',');

/**
 * A list response as the sequence of buffers that make it up: the items'
 * cached encodings, written out as they are (no copy of the whole list).
 */
export function encodeList(
  type: ResourceType,
  items: KubeObject[],
  metadata: Record<string, unknown>,
): Buffer[] {
  const parts: Buffer[] = [
    Buffer.from(
      `{"kind":${JSON.stringify(type.listKind)},"apiVersion":${JSON.stringify(
        apiVersionOf(type),
      )},"metadata":${JSON.stringify(metadata)},"items":[`,
    ),
  ];
  for (let i = 0; i < items.length; i++) {
    if (i > 0) parts.push(COMMA);
    parts.push(encodeListItem(type, items[i]));
  }
  parts.push(Buffer.from(']}'));
  return parts;
}

/** One watch event line, memoized on the event per representation and type. */
export function encodeWatchEvent(
  event: StoreEvent,
  type: string,
  representation: string,
  encodeBody: () => string,
): Buffer {
  const cacheKey = `${type}:${representation}`;
  event.encoded ??= new Map();
  let line = event.encoded.get(cacheKey);
  if (line === undefined) {
    line = Buffer.from(`{"type":"${type}","object":${encodeBody()}}\n`);
    event.encoded.set(cacheKey, line);
  }
  return line;
}
