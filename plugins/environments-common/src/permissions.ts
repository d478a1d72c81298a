import { createPermission } from '@backstage/plugin-permission-common';

/*
 * Environments are cluster-wide objects that belong to no catalog entity, so
 * their permissions are basic ones: Cairn's policy lets ops do everything
 * and everyone signed in read. What a reader sees is narrowed on the server
 * to the environments their groups own or are tenants of, unless they may
 * also manage environments.
 */

/**
 * See environments: their placement, quota and usage, tenants and status.
 * @public
 */
export const environmentsReadPermission = createPermission({
  name: 'environments.read',
  attributes: { action: 'read' },
});

/**
 * Create, edit and delete environments, and see every environment of every
 * team (ops).
 * @public
 */
export const environmentsManagePermission = createPermission({
  name: 'environments.manage',
  attributes: { action: 'update' },
});

/**
 * Write the zone, rack and host labels of cluster nodes (ops).
 * @public
 */
export const nodesLabelPermission = createPermission({
  name: 'nodes.label',
  attributes: { action: 'update' },
});

/** Every permission of the Environments feature, for the backend to register. @public */
export const environmentsPermissions = [
  environmentsReadPermission,
  environmentsManagePermission,
  nodesLabelPermission,
];
