/**
 * Cairn's template store frontend plugin: find, read, star and fork
 * versioned Tekton Tasks, Pipelines and StepActions.
 *
 * @packageDocumentation
 */
export {
  EntityGroupTemplatesCard,
  templateStorePlugin,
  TemplateStorePage,
} from './plugin';
export { rootRouteRef } from './routes';
