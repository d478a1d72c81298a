import { BackstageCredentials } from '@backstage/backend-plugin-api';
import {
  ClusterTemplate,
  ForkRequest,
  ImportReport,
  InstallResult,
  InstallTargets,
  TemplateDetail,
  TemplateFacets,
  TemplateKind,
  TemplateList,
  TemplateUsageList,
  TemplateVersionDetail,
  VersionDiff,
} from '@cairn/plugin-template-store-common';
import { TemplateQuery } from '../store/TemplateStore';

/** Who is calling: their credentials (for permissions) and user ref (for stars and authorship). */
export interface Caller {
  credentials: BackstageCredentials;
  userRef: string;
}

/** A version to publish, parsed from the request. */
export interface PublishInput {
  owner: string;
  version: string;
  yaml: string;
  readme?: string;
}

/** An install, parsed from the request. */
export interface InstallInput {
  entityRef: string;
  cluster: string;
  namespace: string;
  dryRun: boolean;
  replace?: string;
}

/** A Task or Pipeline in a cluster. */
export interface ClusterObjectLocation {
  cluster: string;
  namespace: string;
  kind: 'Task' | 'Pipeline';
  name: string;
}

/** What the router serves; {@link AuthorizedTemplateStoreService} checks permissions around the plain one. */
export interface TemplateStoreService {
  list(
    query: Omit<TemplateQuery, 'pageSize'>,
    caller: Caller,
  ): Promise<TemplateList>;
  facets(caller: Caller): Promise<TemplateFacets>;
  getTemplate(
    kind: TemplateKind,
    name: string,
    caller: Caller,
  ): Promise<TemplateDetail>;
  getVersion(
    kind: TemplateKind,
    name: string,
    version: string,
    caller: Caller,
  ): Promise<TemplateVersionDetail>;
  diff(
    kind: TemplateKind,
    name: string,
    from: string,
    to: string,
    caller: Caller,
  ): Promise<VersionDiff>;
  publish(input: PublishInput, caller: Caller): Promise<TemplateVersionDetail>;
  setDeprecated(
    kind: TemplateKind,
    name: string,
    version: string,
    deprecated: boolean,
    caller: Caller,
  ): Promise<void>;
  deleteVersion(
    kind: TemplateKind,
    name: string,
    version: string,
    caller: Caller,
  ): Promise<void>;
  setStar(
    kind: TemplateKind,
    name: string,
    starred: boolean,
    caller: Caller,
  ): Promise<void>;
  fork(
    kind: TemplateKind,
    name: string,
    request: Required<ForkRequest>,
    caller: Caller,
  ): Promise<TemplateVersionDetail>;
  importArchive(
    archive: Buffer,
    owner: string,
    caller: Caller,
  ): Promise<ImportReport>;
  getImport(id: string, caller: Caller): Promise<ImportReport>;
  /** The pipelines in the watched clusters that use a template. */
  listUsage(
    kind: TemplateKind,
    name: string,
    caller: Caller,
  ): Promise<TemplateUsageList>;
  /** A Task or Pipeline in a namespace of an entity, as template YAML to publish. */
  clusterTemplate(
    entityRef: string,
    where: ClusterObjectLocation,
    caller: Caller,
  ): Promise<ClusterTemplate>;
  /** Where an entity's installs may go. */
  installTargets(entityRef: string, caller: Caller): Promise<InstallTargets>;
  /** Installs a version into a namespace of the entity, or previews it. */
  install(
    kind: TemplateKind,
    name: string,
    version: string,
    input: InstallInput,
    caller: Caller,
  ): Promise<InstallResult>;
}
