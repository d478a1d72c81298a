import { existsSync, readdirSync, readFileSync, statSync } from 'fs';
import { join, relative } from 'path';
import { Document, isMap, parseAllDocuments } from 'yaml';
import { Task } from '../../types';

/** One Pipeline of a corpus: where it came from and its exact text. */
export interface CorpusPipeline {
  file: string;
  text: string;
  /**
   * The Pipeline is a PipelineRun's `pipelineSpec`: the run's params and
   * workspaces propagate into it, so Tekton does not check that it declares
   * the ones it uses.
   */
  embedded: boolean;
  /** The Tasks of the same file, which its tasks may reference. */
  tasks: Task[];
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

const isTekton = (doc: Document.Parsed, kind: string) =>
  doc.errors.length === 0 &&
  doc.get('kind') === kind &&
  doc.get('apiVersion') === 'tekton.dev/v1';

/**
 * A PipelineRun's block-style `pipelineSpec` as the text of a Pipeline of
 * the run's name: the spec's own lines, byte for byte but moved left so
 * that they sit under `spec:` (a uniform shift keeps block scalars,
 * comments and flow collections as they were).
 */
function embeddedPipelineText(
  text: string,
  run: Document.Parsed,
): string | undefined {
  const spec = run.getIn(['spec', 'pipelineSpec'], true);
  if (!isMap(spec) || spec.flow || !spec.range || !spec.items.length) {
    return undefined;
  }
  const start = text.lastIndexOf('\n', spec.range[0] - 1) + 1;
  const shift = spec.range[0] - start - 2;
  const lines = text
    .slice(start, spec.range[1])
    .replace(/\n+$/, '')
    .split('\n')
    .map(line => line.slice(Math.min(shift, /^ */.exec(line)![0].length)));
  const name = String(
    run.getIn(['metadata', 'name']) ??
      String(run.getIn(['metadata', 'generateName']) ?? 'embedded').replace(
        /-$/,
        '',
      ),
  );
  return [
    'apiVersion: tekton.dev/v1',
    'kind: Pipeline',
    'metadata:',
    `  name: ${name}`,
    'spec:',
    ...lines,
    '',
  ].join('\n');
}

/**
 * Every Tekton v1 Pipeline in the YAML files below `dir` — a folder of our
 * own or a checkout of Tekton's examples or catalog — and every Pipeline
 * embedded in a PipelineRun (`spec.pipelineSpec`). A file that is one
 * Pipeline is taken whole (directives and markers too); from a file of
 * several documents each Pipeline's own text is cut out byte for byte.
 */
export function readPipelineCorpus(dir: string): CorpusPipeline[] {
  if (!existsSync(dir)) return [];
  return yamlFiles(dir).flatMap(path => {
    const text = readFileSync(path, 'utf8');
    const file = relative(dir, path);
    const documents = parseAllDocuments(text);
    if (!Array.isArray(documents)) return [];
    const tasks = documents
      .filter(doc => isTekton(doc, 'Task'))
      .map(doc => doc.toJS() as Task);
    return documents.flatMap((doc, index): CorpusPipeline[] => {
      const at = documents.length === 1 ? file : `${file}#${index}`;
      if (isTekton(doc, 'PipelineRun')) {
        const embedded = embeddedPipelineText(text, doc);
        return embedded
          ? [{ file: at, text: embedded, embedded: true, tasks }]
          : [];
      }
      if (!isTekton(doc, 'Pipeline')) return [];
      if (documents.length === 1) {
        return [{ file, text, embedded: false, tasks }];
      }
      const [start, , end] = doc.range;
      const body = text.slice(start, end).replace(/^---[^\n]*\n/, '');
      return [
        {
          file: at,
          text: body.endsWith('\n') ? body : `${body}\n`,
          embedded: false,
          tasks,
        },
      ];
    });
  });
}
