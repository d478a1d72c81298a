/*
 * The template store benchmark (issue 16): importing a catalog the size of
 * Tekton's (200 tasks, 600 versions) as an uploaded .tar.gz, again (nothing
 * new), and searching 10,000 templates. Writes its numbers into
 * docs/benchmarks.md.
 *
 *   yarn workspace @cairn/plugin-template-store-backend bench \
 *     [--tasks 200] [--versions 3] [--templates 10000] [--queries 300] \
 *     [--pg postgresql://postgres@127.0.0.1:5432] [--no-write]
 */
import {
  benchOptions,
  codeVersion,
  machine,
  publishReport,
  runBenchMain,
  summarize,
} from '@cairn/bench-support';
import { parseTemplateYaml } from '@cairn/plugin-template-store-common';
import knexFactory, { Knex } from 'knex';
import { join } from 'node:path';
import { tarGz } from '../src/__testUtils__/archives';
import { templateDigest } from '../src/import/catalogFiles';
import { CatalogImporter } from '../src/import/CatalogImporter';
import { DEFAULT_LIMITS } from '../src/import/limits';
import { DatabaseTemplateStore } from '../src/store/DatabaseTemplateStore';
import { NewTemplateVersion } from '../src/store/TemplateStore';

const {
  counts,
  write,
  values: args,
} = benchOptions({
  counts: { tasks: 200, versions: 3, templates: 10000, queries: 300 },
  others: { pg: { type: 'string' } },
});
const TASKS = counts.tasks;
const VERSIONS = counts.versions;
const TEMPLATES = counts.templates;
const QUERIES = counts.queries;

const WORDS = [
  'git',
  'build',
  'deploy',
  'test',
  'lint',
  'scan',
  'image',
  'helm',
  'kubectl',
  'go',
  'java',
  'node',
  'python',
  'cache',
  'notify',
];
const CATEGORIES = [
  'Git',
  'Build Tools',
  'Deployment',
  'Testing',
  'Security',
  'Image Build',
  'Messaging',
];

/** A task in the shape of the Tekton catalog's: annotations, 3 params, a result, a workspace, 2 steps. */
function taskYaml(i: number, version: string): string {
  const word = (k: number) => WORDS[(i * 7 + k) % WORDS.length];
  return `apiVersion: tekton.dev/v1
kind: Task
metadata:
  name: task-${i}
  labels:
    app.kubernetes.io/version: "${version}"
  annotations:
    tekton.dev/pipelines.minVersion: "0.50.0"
    tekton.dev/categories: ${CATEGORIES[i % CATEGORIES.length]}
    tekton.dev/tags: ${word(1)}, ${word(2)}
    tekton.dev/displayName: "${word(0)} ${word(3)} ${i}"
    tekton.dev/platforms: "linux/amd64,linux/arm64"
spec:
  description: >-
    Runs ${word(0)} and ${word(
    4,
  )} on the source workspace (task ${i}, version ${version}).
  workspaces:
    - name: source
      description: The sources.
  params:
    - name: image
      description: The image to run.
      default: alpine:3.20
    - name: args
      type: array
      default: ["--verbose"]
    - name: context
      description: The folder to work in.
      default: .
  results:
    - name: digest
      description: What it produced.
  steps:
    - name: prepare
      image: $(params.image)
      workingDir: $(workspaces.source.path)/$(params.context)
      script: |
        #!/bin/sh
        set -eu
        echo preparing ${i}
    - name: run
      image: $(params.image)
      args: ["$(params.args[*])"]
`;
}

/** A fresh database, and how to drop it afterwards. */
async function database(
  which: 'sqlite' | 'pg',
): Promise<{ knex: Knex; drop: () => Promise<void> }> {
  if (which === 'sqlite') {
    const knex = knexFactory({
      client: 'better-sqlite3',
      connection: ':memory:',
      useNullAsDefault: true,
    });
    return { knex, drop: () => knex.destroy() };
  }
  const name = `template_store_bench_${Date.now()}`;
  const admin = () => knexFactory({ client: 'pg', connection: args.pg });
  const create = admin();
  await create.raw(`create database ${name}`);
  await create.destroy();
  const url = new URL(args.pg!);
  url.pathname = `/${name}`;
  const knex = knexFactory({ client: 'pg', connection: url.toString() });
  return {
    knex,
    drop: async () => {
      await knex.destroy();
      const dropping = admin();
      await dropping.raw(`drop database ${name}`);
      await dropping.destroy();
    },
  };
}

async function measure(which: 'sqlite' | 'pg') {
  const { knex, drop } = await database(which);
  await knex.migrate.latest({ directory: join(__dirname, '../migrations') });
  const store = new DatabaseTemplateStore(knex);
  const importer = new CatalogImporter({ store, limits: DEFAULT_LIMITS });
  const options = {
    source: 'bench',
    owner: 'group:default/ops',
    createdBy: 'bench',
  };

  const entries = [];
  for (let i = 0; i < TASKS; i++) {
    for (let v = 1; v <= VERSIONS; v++) {
      const version = `0.${v}`;
      entries.push(
        {
          path: `task/task-${i}/${version}/task-${i}.yaml`,
          content: taskYaml(i, version),
        },
        {
          path: `task/task-${i}/${version}/README.md`,
          content: `# task ${i}\n\nVersion ${version}.\n`,
        },
      );
    }
  }
  const archive = tarGz(entries);
  let started = performance.now();
  const first = await importer.importArchive(archive, options);
  const importMs = performance.now() - started;
  started = performance.now();
  const again = await importer.importArchive(archive, options);
  const againMs = performance.now() - started;
  if (
    first.added !== TASKS * VERSIONS ||
    again.unchanged !== TASKS * VERSIONS
  ) {
    throw new Error(
      `unexpected import: ${first.added} added, then ${again.unchanged} unchanged`,
    );
  }

  // Fill up to TEMPLATES templates (one version each) in batches.
  const docsOf = (yaml: string) => {
    const parsed = parseTemplateYaml(yaml);
    if (!parsed.ok) throw new Error(parsed.errors.join('; '));
    return parsed.docs;
  };
  for (let i = TASKS; i < TEMPLATES; i += 500) {
    const batch: NewTemplateVersion[] = [];
    for (let j = i; j < Math.min(i + 500, TEMPLATES); j++) {
      const yaml = taskYaml(j, '0.1');
      batch.push({
        kind: 'Task',
        name: `task-${j}`,
        version: '0.1',
        owner: `group:default/team-${j % 40}`,
        yaml,
        digest: templateDigest(yaml),
        docs: docsOf(yaml),
        createdBy: 'bench',
      });
    }
    await store.putVersions(batch, { mustIncrease: false });
  }
  const queries = Array.from({ length: QUERIES }, (_, q) => ({
    search:
      q % 4 === 3
        ? undefined
        : `${WORDS[q % WORDS.length]}${
            q % 3 === 0 ? ` ${WORDS[(q + 5) % WORDS.length]}` : ''
          }`,
    category: q % 5 === 0 ? CATEGORIES[q % CATEGORIES.length] : undefined,
    sort: (['name', 'stars', 'updated'] as const)[q % 3],
    page: 1 + (q % 3),
    pageSize: 24,
  }));
  const samples: number[] = [];
  let matched = 0;
  for (const query of queries) {
    const t = performance.now();
    const result = await store.list(query, 'user:default/bench');
    samples.push(performance.now() - t);
    matched += result.totalCount;
  }
  await drop();
  return {
    importMs,
    againMs,
    search: summarize(samples),
    meanMatches: matched / QUERIES,
  };
}

async function main() {
  const rows: string[] = [];
  const databases: Array<'sqlite' | 'pg'> = args.pg
    ? ['sqlite', 'pg']
    : ['sqlite'];
  for (const which of databases) {
    const r = await measure(which);
    const name = which === 'sqlite' ? 'SQLite (in memory)' : 'PostgreSQL';
    const ms = (n: number) => `${n.toFixed(n < 100 ? 1 : 0)} ms`;
    rows.push(
      `| ${name} | ${(r.importMs / 1000).toFixed(2)} s | ${(
        r.againMs / 1000
      ).toFixed(2)} s | ${ms(r.search.p50)} | ${ms(r.search.p95)} | ${ms(
        r.search.max,
      )} | ${Math.round(r.meanMatches)} |`,
    );
    console.log(rows.at(-1));
  }
  const text = [
    `Measured ${new Date()
      .toISOString()
      .slice(0, 10)} on ${machine()}, ${codeVersion([
      'plugins/template-store-backend',
      'plugins/template-store-common',
    ])}.`,
    '',
    `Import: a generated catalog of ${TASKS} tasks × ${VERSIONS} versions (${
      TASKS * VERSIONS
    } YAML files and as many READMEs, in the Tekton catalog's shape) uploaded as one .tar.gz, read, parsed, stored in one transaction; then the same archive again (every file \`unchanged\`). Search: ${QUERIES} list queries (one or two words, some with a category, every sort, pages 1–3) over ${TEMPLATES.toLocaleString(
      'en-US',
    )} templates, timed at the store.`,
    '',
    '| Database | import | import again | search p50 | search p95 | search max | mean matches |',
    '| -------- | ------ | ------------ | ---------- | ---------- | ---------- | ------------ |',
    ...rows,
  ].join('\n');
  publishReport(
    text,
    {
      heading: 'Template store',
      start: '<!-- bench:template-store:start -->',
      end: '<!-- bench:template-store:end -->',
    },
    { write },
  );
}

runBenchMain(main);
