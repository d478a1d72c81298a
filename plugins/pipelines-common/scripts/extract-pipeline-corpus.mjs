#!/usr/bin/env node
// Copies every Tekton v1 Pipeline document found under a folder (for
// example a checkout of Tekton's examples or catalog) into one file per
// Pipeline, byte for byte, so the builder's round-trip tests can run over
// it:
//
//   node plugins/pipelines-common/scripts/extract-pipeline-corpus.mjs <from> <to>
//   CAIRN_PIPELINE_CORPUS=<to> yarn workspace @cairn/plugin-pipelines-common \
//     backstage-cli package test src/builder/corpus.test.ts
//
// Pipelines embedded in PipelineRuns are left out: they may use params and
// workspaces the run propagates, which a Pipeline on its own may not.
/* eslint-disable no-console */
import {
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join, relative } from 'node:path';
import { parseAllDocuments } from 'yaml';

const [from, to] = process.argv.slice(2);
if (!from || !to) {
  console.error('usage: extract-pipeline-corpus.mjs <from folder> <to folder>');
  process.exit(2);
}

const yamlFiles = dir =>
  readdirSync(dir).flatMap(name => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return yamlFiles(path);
    return /\.ya?ml$/.test(name) ? [path] : [];
  });

mkdirSync(to, { recursive: true });
let count = 0;
for (const file of yamlFiles(from)) {
  const text = readFileSync(file, 'utf8');
  for (const [index, doc] of parseAllDocuments(text).entries()) {
    if (!('errors' in doc) || doc.errors.length) continue;
    if (
      doc.get('kind') !== 'Pipeline' ||
      doc.get('apiVersion') !== 'tekton.dev/v1'
    ) {
      continue;
    }
    const [start, , end] = doc.range;
    const body = text.slice(start, end).replace(/^---[^\n]*\n/, '');
    const name = `${relative(from, file)
      .replace(/\.ya?ml$/, '')
      .replace(/[\\/]/g, '__')}.${index}.yaml`;
    writeFileSync(join(to, name), body.endsWith('\n') ? body : `${body}\n`);
    count++;
  }
}
console.log(`${count} Pipelines written to ${to}`);
