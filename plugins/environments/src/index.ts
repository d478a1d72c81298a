/**
 * Cairn Environments frontend plugin: the Environments page (ops create and
 * edit environments on the cluster's topology drawing and label nodes) and
 * the environments card of a group's or a service's page.
 *
 * @packageDocumentation
 */
export {
  environmentsPlugin,
  EnvironmentsPage,
  EntityEnvironmentsCard,
} from './plugin';
export { isEnvironmentsAvailable } from './isEnvironmentsAvailable';
export { rootRouteRef } from './routes';
export * from './api';
