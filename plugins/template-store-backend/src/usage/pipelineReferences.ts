import {
  installedFrom,
  parseCatalogPath,
  TemplateVersionRef,
} from '@cairn/plugin-template-store-common';

type Json = Record<string, any>;

/** A resolver's params by name; a param set by `$(params.…)` is left out. */
function literalParams(ref: Json): Map<string, string> {
  const params = new Map<string, string>();
  for (const param of Array.isArray(ref.params) ? ref.params : []) {
    // A substituted value is only known to the run: what it names depends on
    // the run's params, so it identifies no template here.
    if (
      typeof param?.name === 'string' &&
      typeof param.value === 'string' &&
      !param.value.includes('$(')
    ) {
      params.set(param.name, param.value);
    }
  }
  return params;
}

/** A file of the catalog layout at the end of a path or URL, as a Task. */
function catalogTask(path: string | undefined): TemplateVersionRef | undefined {
  if (!path) return undefined;
  let pathname = path;
  try {
    pathname = new URL(path).pathname;
  } catch {
    // Not a URL: a path in a repository (the git resolver's pathInRepo).
  }
  // The catalog may be a folder of the repository: its last four segments.
  const file = parseCatalogPath(
    pathname.split('/').filter(Boolean).slice(-4).join('/'),
  );
  return file?.role === 'template' && file.kind === 'Task'
    ? { kind: 'Task', name: file.name, version: file.version }
    : undefined;
}

/**
 * The store Task a `taskRef` through a resolver names, when the reference
 * itself identifies one template version; the store keeps only those it
 * holds (a template's name is unique per kind in the store, as in a catalog).
 *
 * - `cluster`: a Task object (kind `task`, the default) in `namespace` (by
 *   default the run's, which for a Pipeline's runs is the Pipeline's); it
 *   counts if that object was installed from the store, as a `taskRef` by
 *   name does.
 * - `hub`: kind, name and an exact version are the store's own key,
 *   whichever `catalog` the ref names (the store is the company's hub and
 *   holds the public catalog's Tasks under their catalog names; the store
 *   matches `0.9.0` to its `0.9`). A
 *   missing version (the hub's latest) or a constraint (`>= 0.5.0`) picks a
 *   version when the run resolves it, which changes as the hub changes.
 * - `git` (`pathInRepo`) and `http` (`url`): a file in the catalog layout,
 *   `task/<name>/<version>/<name>.yaml`, names the template and its version.
 *   Any other path is a file the store cannot tell apart from its own.
 * - `bundles`: not counted. The bundle's `name` is the Task's, but its
 *   version is whatever the OCI image's tag or digest holds, which only
 *   pulling the image shows; the store publishes no bundles to compare.
 * - Other resolvers (custom ones) have params only they understand.
 */
export function resolverTaskReference(
  ref: Json,
  namespace: string,
  taskOf: (namespace: string, name: string) => Json | undefined,
): TemplateVersionRef | undefined {
  const params = literalParams(ref);
  const kind = (params.get('kind') ?? 'task').toLowerCase();
  if (kind !== 'task') return undefined;
  switch (ref.resolver) {
    case 'cluster': {
      const name = params.get('name');
      // A namespace param set from the run's params names no namespace here.
      const hasNamespace = (ref.params ?? []).some(
        (p: Json) => p?.name === 'namespace',
      );
      const where = hasNamespace ? params.get('namespace') : namespace;
      return name && where
        ? installedFrom(taskOf(where, name)?.metadata)
        : undefined;
    }
    case 'hub': {
      const name = params.get('name');
      const version = params.get('version');
      return name && version && /^v?\d+(\.\d+)*$/.test(version)
        ? { kind: 'Task', name, version: version.replace(/^v/, '') }
        : undefined;
    }
    case 'git':
      return catalogTask(params.get('pathInRepo'));
    case 'http':
      return catalogTask(params.get('url'));
    default:
      return undefined;
  }
}

/**
 * The template versions a Pipeline uses: itself, if it was installed from a
 * Pipeline template; each of its tasks whose `taskRef` names a Task of its
 * namespace installed from the store, or reaches a store Task through a
 * resolver ({@link resolverTaskReference}); and each embedded `taskSpec` the
 * builder took from the store (its metadata names the template). Each
 * template version once.
 */
export function pipelineReferences(
  pipeline: Json,
  taskOf: (namespace: string, name: string) => Json | undefined,
): TemplateVersionRef[] {
  const found = new Map<string, TemplateVersionRef>();
  const add = (ref: TemplateVersionRef | undefined) => {
    if (ref) found.set(`${ref.kind}/${ref.name}@${ref.version}`, ref);
  };
  add(installedFrom(pipeline.metadata));
  const namespace: string = pipeline.metadata?.namespace ?? '';
  const tasks: Json[] = [
    ...(pipeline.spec?.tasks ?? []),
    ...(pipeline.spec?.finally ?? []),
  ];
  for (const task of tasks) {
    const ref = task.taskRef;
    if (ref?.resolver) {
      add(resolverTaskReference(ref, namespace, taskOf));
    } else if (ref?.name && (ref.kind === undefined || ref.kind === 'Task')) {
      add(installedFrom(taskOf(namespace, ref.name)?.metadata));
    }
    add(installedFrom(task.taskSpec?.metadata));
  }
  return [...found.values()];
}
