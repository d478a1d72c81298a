/**
 * The template store's collator for Backstage's search backend:
 * `backend.add(import('@cairn/plugin-template-store-backend/search'))`.
 *
 * @packageDocumentation
 */
export { searchModuleTemplateStoreCollator as default } from './module';
export { TemplateCollatorFactory } from './TemplateCollatorFactory';
export type { TemplateDocument } from './TemplateCollatorFactory';
