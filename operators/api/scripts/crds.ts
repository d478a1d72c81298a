import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { stringify } from 'yaml';
import { debugSessionCrd, environmentCrd, stoneCrd } from '../src';

/*
 * The CRD manifests of operators/deploy, generated from the CRD data in
 * src/ so the YAML cannot drift from what the operators and the portal use.
 * Run `yarn workspace @cairn/operators-api generate:crds` after changing it;
 * crd.test.ts fails while the committed YAML differs.
 */

const DEPLOY = resolve(__dirname, '../../deploy');

/** The generated files, by absolute path. */
export function crdFiles(): Record<string, string> {
  const header = `# Generated from operators/api/src by operators/api/scripts/crds.ts; do not edit.\n`;
  return {
    [resolve(DEPLOY, 'crds/stones.rollouts.cairn.dev.yaml')]:
      header + stringify(stoneCrd, { lineWidth: 0, singleQuote: true }),
    [resolve(DEPLOY, 'crds/debugsessions.debug.cairn.dev.yaml')]:
      header + stringify(debugSessionCrd, { lineWidth: 0, singleQuote: true }),
    [resolve(DEPLOY, 'crds/environments.tenancy.cairn.dev.yaml')]:
      header + stringify(environmentCrd, { lineWidth: 0, singleQuote: true }),
  };
}

if (require.main === module) {
  for (const [path, text] of Object.entries(crdFiles())) {
    writeFileSync(path, text);
    process.stdout.write(`wrote ${path}\n`);
  }
}
