import { readFileSync, writeFileSync } from 'node:fs';

export interface DocSection {
  /** The `## …` heading written above the markers when the doc lacks them. */
  heading: string;
  /** The marker lines, e.g. `<!-- bench:results:start -->`. */
  start: string;
  end: string;
}

/**
 * Replaces what lies between the section's markers in the Markdown file
 * `docPath` with `text`; adds the section (and the file) when missing.
 */
export function writeDocSection(
  docPath: string,
  section: DocSection,
  text: string,
): void {
  const { heading, start, end } = section;
  const empty = `## ${heading}\n\n${start}\n${end}\n`;
  let doc: string;
  try {
    doc = readFileSync(docPath, 'utf8');
  } catch {
    doc = `# Benchmarks\n\n${empty}`;
  }
  let from = doc.indexOf(start);
  let to = from < 0 ? -1 : doc.indexOf(end, from);
  if (to < 0) {
    doc = `${doc.trimEnd()}\n\n${empty}`;
    from = doc.lastIndexOf(start);
    to = doc.indexOf(end, from);
  }
  writeFileSync(
    docPath,
    `${doc.slice(0, from + start.length)}\n\n${text}\n\n${doc.slice(to)}`,
  );
}
