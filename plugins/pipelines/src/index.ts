/**
 * Cairn Pipelines frontend plugin: Tekton runs on the entity's CI/CD tab and
 * a Pipelines page — run graph with live status, start, rerun, cancel, delete.
 *
 * @packageDocumentation
 */
export {
  pipelinesPlugin,
  EntityPipelinesContent,
  PipelinesPage,
} from './plugin';
export { isPipelinesAvailable } from '@cairn/plugin-pipelines-common';
export { rootRouteRef, entityContentRouteRef } from './routes';
export * from './api';
