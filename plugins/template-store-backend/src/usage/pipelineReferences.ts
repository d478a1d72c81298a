import {
  installedFrom,
  TemplateVersionRef,
} from '@cairn/plugin-template-store-common';

type Json = Record<string, any>;

/**
 * The template versions a Pipeline uses: itself, if it was installed from a
 * Pipeline template; each of its tasks whose `taskRef` names a Task of its
 * namespace installed from the store; and each embedded `taskSpec` the
 * builder took from the store (its metadata names the template). A
 * reference through a resolver (hub, git, bundles) names no installed
 * object and is not counted. Each template version once.
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
    if (
      ref?.name &&
      !ref.resolver &&
      (ref.kind === undefined || ref.kind === 'Task')
    ) {
      add(installedFrom(taskOf(namespace, ref.name)?.metadata));
    }
    add(installedFrom(task.taskSpec?.metadata));
  }
  return [...found.values()];
}
