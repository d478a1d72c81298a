/** The DebugSession's API group, version and kind. @public */
export const DEBUG_GROUP = 'debug.cairn.dev';
/** @public */
export const DEBUG_VERSION = 'v1alpha1';
/** @public */
export const DEBUG_API_VERSION = `${DEBUG_GROUP}/${DEBUG_VERSION}`;
/** @public */
export const DEBUG_SESSION_KIND = 'DebugSession';
/** @public */
export const DEBUG_SESSION_PLURAL = 'debugsessions';

/** Finalizer of every session: the controller ends the debug container before the session goes. @public */
export const DEBUG_SESSION_FINALIZER = 'debug.cairn.dev/end-session';
/** Label on a copy pod: the session's name (copies carry no label of the original, so no Service selects them). @public */
export const LABEL_DEBUG_SESSION = 'debug.cairn.dev/session';
/**
 * Environment variable of every debug container: the session's UID. The
 * controller ends a session's processes by this mark (see endProcessCommand).
 * @public
 */
export const ENV_DEBUG_SESSION = 'CAIRN_DEBUG_SESSION';

/** @public */
export const DEBUG_SESSION_DEFAULTS = {
  ttlSeconds: 3600,
  /** The controller's cap on ttlSeconds unless configured: a working day. */
  maxTtlSeconds: 8 * 3600,
  mode: 'ephemeral',
  /** The profile of a session with an image outside the catalog, kubectl debug's default from 1.36. */
  profile: 'general',
} as const;
