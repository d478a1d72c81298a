import { createApiRef } from '@backstage/core-plugin-api';
import type {
  ClusterTemplate,
  ForkRequest,
  InstallRequest,
  InstallResult,
  InstallTargets,
  ListTemplatesQuery,
  PublishRequest,
  TemplateDetail,
  TemplateFacets,
  TemplateKind,
  TemplateList,
  TemplateUsageList,
  TemplateVersionDetail,
  VersionDiff,
} from '@cairn/plugin-template-store-common';

/**
 * The template store backend, as the frontend uses it: the store's pages,
 * and other plugins (the pipeline builder's task picker), which find it
 * with `useApiHolder().get(templateStoreApiRef)` and do without the store
 * when the app has not installed it.
 * @public
 */
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
  /** The Pipelines in the watched clusters that use a template. */
  listUsage(kind: TemplateKind, name: string): Promise<TemplateUsageList>;
  /** A Task or Pipeline in a namespace of an entity, as template YAML to publish. */
  clusterTemplate(
    entityRef: string,
    where: {
      cluster: string;
      namespace: string;
      kind: 'Task' | 'Pipeline';
      name: string;
    },
  ): Promise<ClusterTemplate>;
  /** Where installs for a catalog entity may go. */
  installTargets(entityRef: string): Promise<InstallTargets>;
  /** Installs a version (or previews it, with `dryRun`) into a namespace of an entity. */
  install(
    kind: TemplateKind,
    name: string,
    version: string,
    request: InstallRequest,
  ): Promise<InstallResult>;
}

/** @public */
export const templateStoreApiRef = createApiRef<TemplateStoreApi>({
  id: 'plugin.template-store.api',
});
