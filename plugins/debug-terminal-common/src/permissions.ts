import { createPermission } from '@backstage/plugin-permission-common';

/*
 * Opening a terminal into an entity's pods is a resource permission on the
 * catalog entity the pod belongs to, so Cairn's policy ("ops, and owners of
 * the entity") decides it with the catalog's IS_ENTITY_OWNER rule. Replaying
 * someone's recorded terminal is for ops alone: a basic permission that no
 * ownership allows.
 */
const RESOURCE_TYPE_CATALOG_ENTITY = 'catalog-entity';

/**
 * Start a debug session (a toolkit container next to one of the entity's
 * pods), attach to it, and end it.
 * @public
 */
export const debugSessionCreatePermission = createPermission({
  name: 'debug.session.create',
  attributes: { action: 'create' },
  resourceType: RESOURCE_TYPE_CATALOG_ENTITY,
});

/**
 * Open a plain shell (`/bin/sh` through `exec`) in a container of one of the
 * entity's pods.
 * @public
 */
export const debugShellExecPermission = createPermission({
  name: 'debug.shell.exec',
  attributes: { action: 'create' },
  resourceType: RESOURCE_TYPE_CATALOG_ENTITY,
});

/**
 * Replay any recorded terminal session (what others typed and saw).
 * No `read` action: the portal lets everyone read, and this is for ops.
 * @public
 */
export const debugSessionReplayPermission = createPermission({
  name: 'debug.session.replay',
  attributes: {},
});

/** @public */

/**
 * Start a debug session with an image outside the configured toolkit
 * catalog (any image runs next to the pod's processes): for ops.
 * @public
 */
export const debugSessionCustomImagePermission = createPermission({
  name: 'debug.session.image',
  attributes: { action: 'create' },
});

/** @public */
export const debugTerminalPermissions = [
  debugSessionCreatePermission,
  debugShellExecPermission,
  debugSessionReplayPermission,
  debugSessionCustomImagePermission,
];
