import { TemplateKind } from './types';

/** The top folders of the Tekton catalog layout and the kind each holds. @public */
export const CATALOG_KIND_FOLDERS: Record<string, TemplateKind> = {
  task: 'Task',
  pipeline: 'Pipeline',
  stepaction: 'StepAction',
};

/**
 * What a file of a catalog is, from its path relative to the catalog root:
 * `task/<name>/<version>/<name>.yaml` (the template) or `…/README.md` beside
 * it. Samples, tests, OWNERS and everything else are not part of the store.
 * @public
 */
export type CatalogFile = {
  role: 'template' | 'readme';
  kind: TemplateKind;
  name: string;
  version: string;
};

/** Classifies a catalog path; `undefined` for files the store ignores. @public */
export function parseCatalogPath(path: string): CatalogFile | undefined {
  const parts = path.replace(/^\.\//, '').split('/');
  if (parts.length !== 4) return undefined;
  const [folder, name, version, file] = parts;
  const kind = CATALOG_KIND_FOLDERS[folder];
  if (!kind || !name || !version) return undefined;
  if (file === `${name}.yaml` || file === `${name}.yml`) {
    return { role: 'template', kind, name, version };
  }
  if (file === 'README.md') return { role: 'readme', kind, name, version };
  return undefined;
}

/** Where a template's YAML goes in a catalog, the inverse of {@link parseCatalogPath}. @public */
export function catalogPath(kind: TemplateKind, name: string, version: string) {
  const folder = Object.keys(CATALOG_KIND_FOLDERS).find(
    f => CATALOG_KIND_FOLDERS[f] === kind,
  )!;
  return `${folder}/${name}/${version}/${name}.yaml`;
}
