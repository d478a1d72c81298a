import { createApiRef } from '@backstage/core-plugin-api';
import type {
  ForkRequest,
  ListTemplatesQuery,
  PublishRequest,
  TemplateDetail,
  TemplateFacets,
  TemplateKind,
  TemplateList,
  TemplateVersionDetail,
  VersionDiff,
} from '@cairn/plugin-template-store-common';

/** The template store backend, as the frontend uses it. @public */
export interface TemplateStoreApi {
  listTemplates(query: ListTemplatesQuery): Promise<TemplateList>;
  getFacets(): Promise<TemplateFacets>;
  getTemplate(kind: TemplateKind, name: string): Promise<TemplateDetail>;
  getVersion(
    kind: TemplateKind,
    name: string,
    version: string,
  ): Promise<TemplateVersionDetail>;
  diff(
    kind: TemplateKind,
    name: string,
    from: string,
    to: string,
  ): Promise<VersionDiff>;
  setStar(kind: TemplateKind, name: string, starred: boolean): Promise<void>;
  /** Publishes pasted YAML as a new version (owners of the group and ops). */
  publish(request: PublishRequest): Promise<TemplateVersionDetail>;
  fork(
    kind: TemplateKind,
    name: string,
    request: ForkRequest,
  ): Promise<TemplateVersionDetail>;
}

/** @public */
export const templateStoreApiRef = createApiRef<TemplateStoreApi>({
  id: 'plugin.template-store.api',
});
