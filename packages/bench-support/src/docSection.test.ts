import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { writeDocSection } from './docSection';

const section = {
  heading: 'Pipelines',
  start: '<!-- bench:pipelines:start -->',
  end: '<!-- bench:pipelines:end -->',
};

describe('writeDocSection', () => {
  let dir: string;
  let docPath: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'bench-support-'));
    docPath = path.join(dir, 'benchmarks.md');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('replaces only what lies between the markers', () => {
    const docWith = (results: string) =>
      [
        '# Benchmarks',
        '',
        '## Pipelines',
        '',
        section.start,
        '',
        results,
        '',
        section.end,
        '',
        '## Notes',
        '',
        'kept',
        '',
      ].join('\n');
    writeFileSync(docPath, docWith('old results'));
    writeDocSection(docPath, section, 'new results');
    expect(readFileSync(docPath, 'utf8')).toBe(docWith('new results'));
  });

  it('appends the section under its heading when the markers are missing', () => {
    writeFileSync(docPath, '# Benchmarks\n\n## Dev cluster\n\nby hand\n\n');
    writeDocSection(docPath, section, 'results');
    expect(readFileSync(docPath, 'utf8')).toBe(
      `# Benchmarks\n\n## Dev cluster\n\nby hand\n\n## Pipelines\n\n${section.start}\n\nresults\n\n${section.end}\n`,
    );
  });

  it('appends a fresh section when the markers are out of order', () => {
    writeFileSync(docPath, `${section.end}\n${section.start}\n`);
    writeDocSection(docPath, section, 'results');
    expect(readFileSync(docPath, 'utf8')).toBe(
      `${section.end}\n${section.start}\n\n## Pipelines\n\n${section.start}\n\nresults\n\n${section.end}\n`,
    );
  });

  it('creates the file when there is none', () => {
    writeDocSection(docPath, section, 'results');
    expect(readFileSync(docPath, 'utf8')).toBe(
      `# Benchmarks\n\n## Pipelines\n\n${section.start}\n\nresults\n\n${section.end}\n`,
    );
  });
});
