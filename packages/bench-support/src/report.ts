import path from 'node:path';
import { DocSection, writeDocSection } from './docSection';
import { REPO_ROOT } from './machine';

/** Prints a benchmark's report and, when `write`, puts it in its section of docs/benchmarks.md. */
export function publishReport(
  report: string,
  section: DocSection,
  options: { write: boolean },
): void {
  process.stdout.write(`${report}\n`);
  if (options.write) {
    writeDocSection(
      path.join(REPO_ROOT, 'docs/benchmarks.md'),
      section,
      report,
    );
  }
}

/** Runs a benchmark's main, then exits (what it leaves running must not hold the process): 1 with the stack when it fails. */
export function runBenchMain(main: () => Promise<void>): void {
  main().then(
    () => process.exit(0),
    error => {
      process.stderr.write(`${error?.stack ?? error}\n`);
      process.exit(1);
    },
  );
}
