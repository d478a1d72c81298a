// Runs every check of the repository in turn and ends with one line
// `N passed, N failed` totalling all of them. Test suites count their tests;
// the type check, lint and format check count as one check each.
// Usage: node scripts/lib/run-checks.mjs [suite ...]   (default: all suites)
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('../..', import.meta.url).pathname;
const results = join(root, 'test-results');

/** A check whose outcome is its exit code. */
const exitCodeCheck = (name, command) => ({
  name,
  command,
  count: status => ({
    passed: status === 0 ? 1 : 0,
    failed: status === 0 ? 0 : 1,
  }),
});

/** A test suite whose runner writes a JSON report we count from. */
const reportedSuite = (name, command, reportFile, countReport) => ({
  name,
  command,
  count: status => {
    if (!existsSync(reportFile)) {
      // The runner died before reporting: count the whole suite as one failure.
      return { passed: 0, failed: 1 };
    }
    const counts = countReport(JSON.parse(readFileSync(reportFile, 'utf8')));
    // A runner that failed without a failing test (e.g. a suite that did not
    // compile) still fails.
    if (status !== 0 && counts.failed === 0) counts.failed = 1;
    return counts;
  },
});

const jestReport = join(results, 'jest.json');
const e2eReport = join(results, 'e2e', 'results.json');

const suites = [
  exitCodeCheck('typecheck', ['yarn', 'tsc']),
  exitCodeCheck('lint', ['yarn', 'backstage-cli', 'repo', 'lint']),
  exitCodeCheck('format', ['yarn', 'prettier', '--check', '.']),
  reportedSuite(
    'unit and integration tests',
    [
      'yarn',
      'backstage-cli',
      'repo',
      'test',
      '--ci',
      '--watchAll=false',
      '--json',
      `--outputFile=${jestReport}`,
    ],
    jestReport,
    r => ({
      passed: r.numPassedTests,
      failed: r.numFailedTests + r.numRuntimeErrorTestSuites,
      skipped: r.numPendingTests + r.numTodoTests,
    }),
  ),
  reportedSuite(
    'browser tests',
    ['yarn', 'playwright', 'test'],
    e2eReport,
    r => ({
      passed: r.stats.expected + r.stats.flaky,
      failed: r.stats.unexpected,
      skipped: r.stats.skipped,
    }),
  ),
];

/** `83s` or `12m 05s`: the summary shows where CI's time budget goes. */
function formatDuration(ms) {
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds}s`;
  return `${Math.floor(seconds / 60)}m ${String(seconds % 60).padStart(
    2,
    '0',
  )}s`;
}

const wanted = process.argv.slice(2);
const selected = wanted.length
  ? suites.filter(s => wanted.includes(s.name))
  : suites;

mkdirSync(results, { recursive: true });
const totals = { passed: 0, failed: 0, skipped: 0 };
const lines = [];
for (const suite of selected) {
  console.log(
    `\n\u001b[1m== ${suite.name}: ${suite.command.join(' ')}\u001b[0m`,
  );
  rmSync(jestReport, { force: true });
  rmSync(e2eReport, { force: true });
  const started = Date.now();
  const { status } = spawnSync(suite.command[0], suite.command.slice(1), {
    cwd: root,
    stdio: 'inherit',
  });
  const counts = suite.count(status);
  totals.passed += counts.passed;
  totals.failed += counts.failed;
  totals.skipped += counts.skipped ?? 0;
  lines.push(
    `${suite.name}: ${counts.passed} passed, ${counts.failed} failed` +
      (counts.skipped ? `, ${counts.skipped} skipped` : '') +
      ` (${formatDuration(Date.now() - started)})`,
  );
}

console.log('\n\u001b[1m== summary\u001b[0m');
for (const line of lines) console.log(`  ${line}`);
console.log(
  `${totals.passed} passed, ${totals.failed} failed` +
    (totals.skipped ? `, ${totals.skipped} skipped` : ''),
);
process.exit(totals.failed === 0 ? 0 : 1);
