import type { ServerResponse } from 'node:http';
import { ObjectStore, WatchHandle } from '../store/objectStore';
import { StoreError } from '../store/errors';
import type { KubeObject, StoreEvent } from '../store/types';
import { encodeWatchEvent } from './encoding';
import { apiVersionOf, ResourceType, storageKey } from './registry';
import { ApiError, expired } from './status';

/*
 * Watch streams: newline-delimited JSON watch events over a chunked HTTP
 * response, as kube-apiserver sends them for `?watch=1`.
 */

export interface WatchRequest {
  type: ResourceType;
  namespace?: string;
  /** Undefined or 0: start with the current state; N: replay changes after N. */
  sinceResourceVersion?: number;
  filter?: (object: KubeObject) => boolean;
  allowBookmarks: boolean;
  /** Send initial events then a bookmark marking their end (WatchList). */
  sendInitialEvents: boolean;
  timeoutMs: number;
  bookmarkIntervalMs: number;
  /** A key naming the representation (e.g. `json`, `table:Metadata`) for caching. */
  representation: string;
  /** Encodes one object in the representation. */
  encodeObject: (object: KubeObject) => string;
}

/** When a watcher's unsent data passes this, it is too slow and the watch ends (clients re-watch). */
const MAX_BUFFERED_BYTES = 32 * 1024 * 1024;

export function serveWatch(
  store: ObjectStore,
  res: ServerResponse,
  request: WatchRequest,
): void {
  const { type, filter } = request;
  res.writeHead(200, {
    'Content-Type': 'application/json',
    'Cache-Control': 'no-cache, private',
    'Transfer-Encoding': 'chunked',
  });
  // Headers go out at once, so clients see the watch established.
  res.flushHeaders();

  let closed = false;
  let corked = false;
  const send = (line: string | Buffer) => {
    if (closed) return;
    // Events of one turn of the event loop leave in one TLS write.
    if (!corked) {
      corked = true;
      res.cork();
      setImmediate(() => {
        corked = false;
        res.uncork();
      });
    }
    res.write(line);
    if (res.writableLength > MAX_BUFFERED_BYTES) finish();
  };

  const deliver = (event: StoreEvent) => {
    let watchType: string = event.type;
    if (filter) {
      const now = filter(event.object);
      const before = event.previous ? filter(event.previous) : false;
      if (event.type === 'MODIFIED') {
        if (now && !before) watchType = 'ADDED';
        else if (!now && before) watchType = 'DELETED';
        else if (!now) return;
      } else if (event.type === 'DELETED' ? !before : !now) {
        return;
      }
    }
    send(
      encodeWatchEvent(event, watchType, request.representation, () =>
        request.encodeObject(event.object),
      ),
    );
  };

  const bookmark = (annotations?: Record<string, string>) => {
    const object = {
      kind: type.kind,
      apiVersion: apiVersionOf(type),
      metadata: {
        resourceVersion: String(store.resourceVersion),
        creationTimestamp: null,
        ...(annotations ? { annotations } : {}),
      },
    };
    send(`{"type":"BOOKMARK","object":${JSON.stringify(object)}}\n`);
  };

  let handle: WatchHandle;
  try {
    const since = request.sinceResourceVersion;
    handle = store.watch(
      storageKey(type),
      {
        namespace: request.namespace,
        sinceResourceVersion: since ? since : undefined,
      },
      deliver,
    );
  } catch (e) {
    const error =
      e instanceof StoreError && e.code === 'TooOld' ? expired(e.message) : e;
    if (error instanceof ApiError) {
      res.end(`{"type":"ERROR","object":${JSON.stringify(error.status)}}\n`);
      return;
    }
    res.destroy(e as Error);
    return;
  }
  const bookmarkTimer = request.allowBookmarks
    ? setInterval(() => bookmark(), request.bookmarkIntervalMs)
    : undefined;
  const timeout = setTimeout(() => finish(), request.timeoutMs);
  res.on('close', finish);

  for (const event of handle.initial) deliver(event);
  if (request.sendInitialEvents)
    bookmark({ 'k8s.io/initial-events-end': 'true' });

  function finish() {
    if (closed) return;
    closed = true;
    handle.stop();
    clearTimeout(timeout);
    if (bookmarkTimer) clearInterval(bookmarkTimer);
    res.end();
  }
}
