import { createApiRef } from '@backstage/core-plugin-api';
import type {
  CreateSessionRequest,
  DebugPodList,
  DebugSessionDetail,
  DebugSessionList,
  DebugSessionRef,
  DebugToolkitList,
  ShellQuery,
  TerminalRecordingSummary,
} from '@cairn/plugin-debug-terminal-common';

/**
 * A debug session and the catalog entity it belongs to: one session's
 * routes name the entity, on which the server checks permissions.
 * @public
 */
export type EntitySessionRef = DebugSessionRef & { entityRef: string };

/**
 * What a terminal connects to: a debug session's toolkit container
 * (`attach`) or a plain shell in a container of one of the entity's pods.
 * @public
 */
export type TerminalTarget =
  | { kind: 'attach'; session: EntitySessionRef }
  | { kind: 'shell'; container: ShellQuery };

/**
 * The debug terminal backend (`/api/debug-terminal`), as the UI uses it.
 * @public
 */
export interface DebugTerminalApi {
  /** The toolkit catalog, whether the user may name another image, and the TTL cap. */
  toolkits(): Promise<DebugToolkitList>;
  /** The entity's pods on every cluster, and the clusters that did not answer. */
  listPods(entityRef: string): Promise<DebugPodList>;
  /** The entity's debug sessions, newest first. */
  listSessions(entityRef: string): Promise<DebugSessionList>;
  createSession(request: CreateSessionRequest): Promise<DebugSessionDetail>;
  getSession(session: EntitySessionRef): Promise<DebugSessionDetail>;
  endSession(session: EntitySessionRef): Promise<void>;
  /** Recorded terminals (ops). */
  listRecordings(options?: {
    entityRef?: string;
  }): Promise<{ items: TerminalRecordingSummary[] }>;
  /** A recorded terminal as an asciicast v2 file (ops). */
  getRecording(id: number): Promise<string>;
  /**
   * Opens a terminal socket with the user's Backstage token; it may still be
   * closed at once with a 4xxx code and the reason.
   */
  openTerminal(
    target: TerminalTarget,
    size: { cols: number; rows: number },
  ): Promise<WebSocket>;
}

/** @public */
export const debugTerminalApiRef = createApiRef<DebugTerminalApi>({
  id: 'plugin.debug-terminal.api',
});
