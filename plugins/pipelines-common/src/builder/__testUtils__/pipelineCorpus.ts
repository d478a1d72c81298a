import { existsSync, readdirSync, readFileSync, statSync } from 'fs';
import { join, relative } from 'path';
import { parseAllDocuments } from 'yaml';

/** One Pipeline of a corpus: where it came from and its exact text. */
export interface CorpusPipeline {
  file: string;
  text: string;
}

function yamlFiles(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap(name => {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) return yamlFiles(path);
      return /\.ya?ml$/.test(name) ? [path] : [];
    });
}

/**
 * Every Tekton v1 Pipeline in the YAML files below `dir` — a folder of our
 * own or a checkout of Tekton's examples or catalog. A file that is one
 * Pipeline is taken whole (directives and markers too); from a file of
 * several documents each Pipeline's own text is cut out byte for byte.
 * Pipelines embedded in PipelineRuns are left out: they may use params and
 * workspaces the run propagates, which a Pipeline on its own may not.
 */
export function readPipelineCorpus(dir: string): CorpusPipeline[] {
  if (!existsSync(dir)) return [];
  return yamlFiles(dir).flatMap(path => {
    const text = readFileSync(path, 'utf8');
    const file = relative(dir, path);
    const documents = parseAllDocuments(text);
    if (!Array.isArray(documents)) return [];
    const pipelines = documents
      .map((doc, index) => ({ doc, index }))
      .filter(
        ({ doc }) =>
          doc.errors.length === 0 &&
          doc.get('kind') === 'Pipeline' &&
          doc.get('apiVersion') === 'tekton.dev/v1',
      );
    if (documents.length === 1) {
      return pipelines.length ? [{ file, text }] : [];
    }
    return pipelines.map(({ doc, index }) => {
      const [start, , end] = doc.range;
      const body = text.slice(start, end).replace(/^---[^\n]*\n/, '');
      return {
        file: `${file}#${index}`,
        text: body.endsWith('\n') ? body : `${body}\n`,
      };
    });
  });
}
