import { readFileSync } from 'node:fs';
import path from 'node:path';

/*
 * Kubernetes' own descriptions of the built-in types and their fields, for
 * the OpenAPI documents (so `kubectl explain` prints them).
 *
 * The source is @kubernetes/client-node's generated models: their doc
 * comments are the descriptions of Kubernetes' OpenAPI document, from the
 * same generation as the field shapes builtinSchemas.ts reads. It is the
 * kubernetes-client project's own package, follows each Kubernetes release
 * (its models are from the v1.34 document) and is already a dependency.
 * The other packages that carry these texts lag behind (kubernetes-types
 * stops at v1.30) or ship validators without them. One loss: the generator
 * drops the description of a field whose type is another model (PodSpec's
 * `affinity`), so for those fields kubectl explain prints the type's own
 * description (Affinity's), which its template also shows on a cluster.
 *
 * The comments live in the models' .d.ts files (the .js carries only
 * attributeTypeMap), so a model's file is read and parsed the first time a
 * document needs it, never at startup: the documents are built on request.
 */

export interface ModelDocs {
  /** The type's description. */
  description?: string;
  /** Field descriptions by JSON name (fields of a model type have none). */
  fields: Map<string, string>;
  /** Fields without `?` in the model: required in Kubernetes' schema. */
  required: string[];
}

const modelsDir = path.join(
  path.dirname(require.resolve('@kubernetes/client-node/package.json')),
  'dist',
  'gen',
  'models',
);

const cache = new Map<string, ModelDocs | undefined>();

/** The generator escapes backslashes and quotes: \\ \" \' */
function unescape(text: string): string {
  return text.replace(/\\(.)/g, '$1');
}

/** Parses the doc comments of one generated model's declaration file. */
export function parseModelDeclaration(source: string): ModelDocs {
  const docs: ModelDocs = { fields: new Map(), required: [] };
  let comment: string[] | undefined;
  let pending: string | undefined;
  let inClass = false;
  for (const raw of source.split('\n')) {
    const line = raw.trim();
    if (line === '/**') {
      comment = [];
      continue;
    }
    if (comment) {
      if (line === '*/') {
        pending = unescape(comment.join(' ').trim()) || undefined;
        comment = undefined;
      } else comment.push(line.replace(/^\* ?/, ''));
      continue;
    }
    if (!inClass) {
      if (/^export declare class /.test(line)) {
        inClass = true;
        docs.description = pending;
      }
      pending = undefined;
      continue;
    }
    const property = /^'([^']+)'(\??):/.exec(line);
    if (property) {
      if (pending) docs.fields.set(property[1], pending);
      if (!property[2]) docs.required.push(property[1]);
    }
    pending = undefined;
  }
  return docs;
}

/** The descriptions of a client-node model (V1PodSpec, …); undefined if it has no declaration file. */
export function modelDocs(model: string): ModelDocs | undefined {
  if (cache.has(model)) return cache.get(model);
  let docs: ModelDocs | undefined;
  try {
    docs = parseModelDeclaration(
      readFileSync(path.join(modelsDir, `${model}.d.ts`), 'utf8'),
    );
  } catch {
    docs = undefined;
  }
  cache.set(model, docs);
  return docs;
}
