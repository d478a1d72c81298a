import { parse } from 'yaml';
import {
  ConversionRefused,
  convertTektonObject,
  TASK_DEPRECATIONS_ANNOTATION,
  TEKTON_V1_API_VERSION,
} from '@cairn/tekton-conversion';
import { templateObject } from './install';
import { TemplateVersionDetail } from './types';

type Json = Record<string, any>;

/** A task of a Pipeline made from a store Task, without its name in the Pipeline. @public */
export interface TemplatePipelineTask {
  /** What to call it in the Pipeline (before making it unique there). */
  name: string;
  taskRef?: { name: string };
  taskSpec?: Json;
  params?: Array<{ name: string; value: string | string[] | Json }>;
}

/**
 * The pipeline task the builder adds for a store Task version: a `taskRef`
 * to the Task installed in the namespace (`ref`), or the Task embedded as a
 * `taskSpec` (`spec`) whose metadata names the template, so the store counts
 * the Pipeline as a user. Params come pre-filled with their defaults (empty
 * for those the Task requires). A v1beta1 Task is embedded converted to
 * v1 as Tekton converts it (a Pipeline is v1); one that does not convert,
 * or whose steps have fields v1 dropped (which Tekton keeps in an
 * annotation an embedded Task cannot carry), is refused with why: install
 * it and refer to it instead.
 * @public
 */
export function templatePipelineTask(
  version: TemplateVersionDetail,
  mode: 'ref' | 'spec',
): TemplatePipelineTask {
  const params = version.docs.params.map(param => ({
    name: param.name,
    value: defaultValue(param.type, param.default),
  }));
  const withParams = params.length ? { params } : {};
  if (mode === 'ref') {
    return {
      name: version.name,
      taskRef: { name: version.name },
      ...withParams,
    };
  }
  const what = `${version.kind} ${version.name} ${version.version}`;
  let object: Json;
  try {
    object = convertTektonObject(
      templateObject(version.yaml, version),
      TEKTON_V1_API_VERSION,
    );
  } catch (e) {
    throw new Error(
      `${what} is ${
        version.apiVersion
      } and does not convert to tekton.dev/v1: ${
        e instanceof ConversionRefused
          ? e.problems.join('; ')
          : (e as Error).message
      }`,
    );
  }
  if (object.metadata.annotations[TASK_DEPRECATIONS_ANNOTATION]) {
    throw new Error(
      `${what} is ${version.apiVersion} and its steps use fields tekton.dev/v1 dropped (ports, probes, lifecycle, stdin, tty); install it and refer to it instead, or publish a v1 version`,
    );
  }
  return {
    name: version.name,
    taskSpec: {
      metadata: {
        annotations: Object.fromEntries(
          Object.entries<string>(object.metadata.annotations).filter(([key]) =>
            key.startsWith('cairn.dev/template'),
          ),
        ),
      },
      ...object.spec,
    },
    ...withParams,
  };
}

/** A param's default as a pipeline task's value: its JSON for arrays and objects. */
function defaultValue(type: string, printed: string | undefined) {
  if (printed === undefined) return type === 'array' ? [] : '';
  if (type === 'string') return printed;
  try {
    return parse(printed) as string[] | Json;
  } catch {
    return printed;
  }
}
