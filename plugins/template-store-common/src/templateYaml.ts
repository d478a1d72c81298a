import { parseAllDocuments, parseDocument } from 'yaml';
import { TEMPLATE_KINDS, TemplateDocs, TemplateKind } from './types';

/** The API versions of Tekton the store accepts; v1beta1 is shown as such. @public */
export const TEMPLATE_API_VERSIONS = ['tekton.dev/v1', 'tekton.dev/v1beta1'];

/** Default cap of one template's YAML, in bytes (1 MiB). @public */
export const DEFAULT_MAX_YAML_BYTES = 1024 * 1024;

/** YAML aliases allowed in one template: enough for anchors, too few for a "billion laughs". */
const MAX_ALIAS_COUNT = 50;

/** @public */
export type ParsedTemplate =
  | { ok: true; docs: TemplateDocs }
  | { ok: false; tooLarge?: boolean; errors: string[] };

const DNS1123_SUBDOMAIN =
  /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const PARAM_TYPES = ['string', 'array', 'object'];

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const optionalString = (value: unknown) =>
  typeof value === 'string' && value.trim() ? value.trim() : undefined;
/** `tekton.dev/tags: "git, build"` → `['git', 'build']`. */
const commaList = (value: unknown) =>
  typeof value === 'string'
    ? value
        .split(',')
        .map(v => v.trim())
        .filter(Boolean)
    : [];

function printDefault(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/**
 * Parses one template's YAML safely (no custom tags, few aliases, one
 * document) and reads what the store shows of it. Errors use YAML's and
 * Tekton's wording (`missing field(s): spec.steps`).
 * @public
 */
export function parseTemplateYaml(
  text: string,
  options: { maxBytes?: number } = {},
): ParsedTemplate {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_YAML_BYTES;
  const size = new TextEncoder().encode(text).length;
  if (size > maxBytes) {
    return {
      ok: false,
      tooLarge: true,
      errors: [`the YAML is ${size} bytes, more than the limit of ${maxBytes}`],
    };
  }
  let documents;
  try {
    documents = parseAllDocuments(text, {
      customTags: [],
      schema: 'core',
      uniqueKeys: true,
      prettyErrors: true,
    });
  } catch (error) {
    return { ok: false, errors: [(error as Error).message] };
  }
  const list = Array.isArray(documents) ? documents : [documents];
  const problems = list.flatMap(d => [...d.errors, ...d.warnings]);
  if (problems.length) {
    // The first line: the message and where (`… at line 2, column 8:`).
    return {
      ok: false,
      errors: problems.map(p => p.message.split('\n')[0].replace(/:$/, '')),
    };
  }
  const nonEmpty = list.filter(d => d.contents !== null);
  if (nonEmpty.length !== 1) {
    return {
      ok: false,
      errors: [
        `expected exactly one Task, Pipeline or StepAction document, got ${nonEmpty.length}`,
      ],
    };
  }
  let object: unknown;
  try {
    object = nonEmpty[0].toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    return { ok: false, errors: [(error as Error).message] };
  }
  return readTemplate(object);
}

function readTemplate(object: unknown): ParsedTemplate {
  if (!isObject(object)) {
    return {
      ok: false,
      errors: ['expected a Task, Pipeline or StepAction object'],
    };
  }
  const { apiVersion, kind, metadata, spec } = object;
  if (
    typeof kind !== 'string' ||
    !(TEMPLATE_KINDS as readonly string[]).includes(kind)
  ) {
    return {
      ok: false,
      errors: [
        `not a Task, Pipeline or StepAction: kind ${JSON.stringify(
          kind ?? '',
        )}`,
      ],
    };
  }
  if (
    typeof apiVersion !== 'string' ||
    !TEMPLATE_API_VERSIONS.includes(apiVersion)
  ) {
    return {
      ok: false,
      errors: [
        `no matches for kind "${kind}" in version "${String(
          apiVersion ?? '',
        )}"`,
      ],
    };
  }
  const errors: string[] = [];
  const meta = isObject(metadata) ? metadata : {};
  const name = meta.name;
  if (typeof name !== 'string' || !name) {
    errors.push('missing field(s): metadata.name');
  } else if (name.length > 253 || !DNS1123_SUBDOMAIN.test(name)) {
    errors.push(
      `invalid value: ${name}: metadata.name: a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character`,
    );
  }
  if (!isObject(spec)) {
    return {
      ok: false,
      errors: [...errors, 'missing field(s): spec'],
    };
  }
  const templateKind = kind as TemplateKind;
  if (templateKind === 'Task') {
    if (!Array.isArray(spec.steps) || spec.steps.length === 0) {
      errors.push('missing field(s): spec.steps');
    }
  } else if (templateKind === 'Pipeline') {
    if (!Array.isArray(spec.tasks) || spec.tasks.length === 0) {
      errors.push('expected at least one, got none: spec.tasks');
    }
  } else if (typeof spec.image !== 'string' || !spec.image) {
    errors.push('missing field(s): spec.image');
  }

  const params = listOf(spec.params, 'spec.params', errors).map((param, i) => {
    const paramName = nameOf(param, `spec.params[${i}]`, errors);
    const type = param.type ?? inferParamType(param.default);
    if (typeof type !== 'string' || !PARAM_TYPES.includes(type)) {
      errors.push(
        `invalid value: ${String(type)}: spec.params.${
          paramName || `[${i}]`
        }.type`,
      );
    }
    return {
      name: paramName,
      type: String(type),
      description: optionalString(param.description),
      default: printDefault(param.default),
    };
  });
  const results = listOf(spec.results, 'spec.results', errors).map(
    (result, i) => ({
      name: nameOf(result, `spec.results[${i}]`, errors),
      type: typeof result.type === 'string' ? result.type : 'string',
      description: optionalString(result.description),
    }),
  );
  const workspaces = listOf(spec.workspaces, 'spec.workspaces', errors).map(
    (workspace, i) => ({
      name: nameOf(workspace, `spec.workspaces[${i}]`, errors),
      description: optionalString(workspace.description),
      optional: workspace.optional === true,
      readOnly: workspace.readOnly === true,
    }),
  );
  if (errors.length) return { ok: false, errors };

  const annotations = isObject(meta.annotations) ? meta.annotations : {};
  return {
    ok: true,
    docs: {
      kind: templateKind,
      apiVersion,
      name: name as string,
      displayName: optionalString(annotations['tekton.dev/displayName']),
      description: optionalString(spec.description),
      categories: commaList(annotations['tekton.dev/categories']),
      tags: commaList(annotations['tekton.dev/tags']),
      platforms: commaList(annotations['tekton.dev/platforms']),
      minPipelinesVersion: optionalString(
        annotations['tekton.dev/pipelines.minVersion'],
      ),
      params,
      results,
      workspaces,
    },
  };
}

/** A param's type when it does not say: that of its default, as Tekton infers it. */
function inferParamType(defaultValue: unknown) {
  if (Array.isArray(defaultValue)) return 'array';
  if (isObject(defaultValue)) return 'object';
  return 'string';
}

function listOf(value: unknown, field: string, errors: string[]): Json[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    errors.push(`invalid value: expected a list: ${field}`);
    return [];
  }
  return value.map((item, i) => {
    if (isObject(item)) return item;
    errors.push(`invalid value: expected an object: ${field}[${i}]`);
    return {};
  });
}

function nameOf(item: Json, field: string, errors: string[]): string {
  if (typeof item.name !== 'string' || !item.name) {
    errors.push(`missing field(s): ${field}.name`);
    return '';
  }
  return item.name;
}

/**
 * The template YAML under another name and with a description: what
 * publishing a builder's Pipeline as a template changes (`metadata.name` is
 * the template's name, `spec.description` its description). Comments and
 * the rest of the text stay as they were.
 * @public
 */
export function withNameAndDescription(
  yaml: string,
  name: string,
  description: string,
): string {
  const doc = parseDocument(yaml);
  doc.setIn(['metadata', 'name'], name);
  if (description) doc.setIn(['spec', 'description'], description);
  else doc.deleteIn(['spec', 'description']);
  return doc.toString();
}
