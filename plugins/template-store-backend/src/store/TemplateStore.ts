import {
  ImportReport,
  TemplateDetail,
  TemplateDocs,
  TemplateFacets,
  TemplateKind,
  TemplateList,
  TemplateUsage,
  TemplateVersionDetail,
} from '@cairn/plugin-template-store-common';

/** A version to store, with what was read from its YAML. */
export interface NewTemplateVersion {
  kind: TemplateKind;
  name: string;
  version: string;
  /** The owner group of a template created by this version; an existing template keeps its owner. */
  owner: string;
  yaml: string;
  digest: string;
  readme?: string;
  docs: TemplateDocs;
  createdBy: string;
  forkedFrom?: { kind: TemplateKind; name: string; version: string };
}

/** What storing one version did. */
export type PutVersionOutcome =
  | { outcome: 'added' | 'unchanged' }
  | { outcome: 'rejected'; reason: string };

/** The list's filters, as the API's query names them (parsed). */
export interface TemplateQuery {
  search?: string;
  kind?: TemplateKind;
  category?: string;
  tag?: string;
  platform?: string;
  owner?: string;
  starred?: boolean;
  sort: 'name' | 'stars' | 'updated';
  page: number;
  pageSize: number;
}

/** The store's data, in the portal database. */
export interface TemplateStore {
  list(query: TemplateQuery, userRef: string): Promise<TemplateList>;
  facets(): Promise<TemplateFacets>;
  getTemplate(
    kind: TemplateKind,
    name: string,
    userRef: string,
  ): Promise<TemplateDetail | undefined>;
  getVersion(
    kind: TemplateKind,
    name: string,
    version: string,
  ): Promise<TemplateVersionDetail | undefined>;
  /**
   * Stores versions in one transaction: all the added ones or none. The same
   * digest as stored is `unchanged`; other content under a stored version is
   * rejected, as is (with `mustIncrease`, for publishing) a version not above
   * the latest.
   */
  putVersions(
    versions: NewTemplateVersion[],
    options: { mustIncrease: boolean },
  ): Promise<PutVersionOutcome[]>;
  setDeprecated(
    kind: TemplateKind,
    name: string,
    version: string,
    deprecated: boolean,
  ): Promise<void>;
  /** Deletes a version no pipeline uses (and the template with its last version). */
  deleteVersion(
    kind: TemplateKind,
    name: string,
    version: string,
  ): Promise<void>;
  setStar(
    kind: TemplateKind,
    name: string,
    userRef: string,
    starred: boolean,
  ): Promise<void>;
  saveImport(report: ImportReport, startedBy: string): Promise<void>;
  /**
   * Replaces the usage seen on one cluster with `usages`, in one
   * transaction; references to templates or versions the store does not
   * hold are left out, and a version is matched by its semver (`0.9.0` is
   * the store's `0.9`).
   */
  replaceUsage(cluster: string, usages: TemplateUsage[]): Promise<void>;
  /** The pipelines using a template, by version, cluster, namespace and name. */
  listUsage(kind: TemplateKind, name: string): Promise<TemplateUsage[]>;
  getImport(id: string): Promise<ImportReport | undefined>;
}
