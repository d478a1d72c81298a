/*
 * asciicast v2 (https://docs.asciinema.org/manual/asciicast/v2/), as the
 * backend records terminals: a header line, then one `[time, code, data]`
 * event per line; `o` is output, `i` input, `r` a resize ("COLSxROWS").
 */

/** The header line of a recording. */
export interface AsciicastHeader {
  version: 2;
  width: number;
  height: number;
  timestamp?: number;
  title?: string;
}

/** One event: seconds since the start, its code, its data. */
export type AsciicastEvent = [number, string, string];

export interface Asciicast {
  header: AsciicastHeader;
  events: AsciicastEvent[];
  /** Seconds from the start to the last event. */
  duration: number;
}

/** Parses a recording; throws an Error naming the line that is not asciicast v2. */
export function parseAsciicast(text: string): Asciicast {
  const lines = text.split('\n').filter(line => line.trim() !== '');
  if (lines.length === 0) throw new Error('the recording is empty');
  const header = JSON.parse(lines[0]) as AsciicastHeader;
  if (header.version !== 2) {
    throw new Error(
      `line 1: not an asciicast v2 header (version ${JSON.stringify(
        header.version,
      )})`,
    );
  }
  const events = lines.slice(1).map((line, index) => {
    const event = JSON.parse(line);
    if (
      !Array.isArray(event) ||
      typeof event[0] !== 'number' ||
      typeof event[1] !== 'string' ||
      typeof event[2] !== 'string'
    ) {
      throw new Error(`line ${index + 2}: not an asciicast event`);
    }
    return event as AsciicastEvent;
  });
  return {
    header,
    events,
    duration: events.length ? events[events.length - 1][0] : 0,
  };
}

/**
 * What a player writes to the terminal between two moments of the
 * recording: the output events in (from, to], with the resizes among them.
 */
export function framesBetween(
  events: readonly AsciicastEvent[],
  from: number,
  to: number,
): Array<{ output: string } | { cols: number; rows: number }> {
  const frames: Array<{ output: string } | { cols: number; rows: number }> = [];
  for (const [time, code, data] of events) {
    if (time <= from || time > to) continue;
    if (code === 'o') {
      const last = frames[frames.length - 1];
      if (last && 'output' in last) last.output += data;
      else frames.push({ output: data });
    } else if (code === 'r') {
      const match = /^(\d+)x(\d+)$/.exec(data);
      if (match)
        frames.push({ cols: Number(match[1]), rows: Number(match[2]) });
    }
  }
  return frames;
}

/** What was typed, in order: the input events' data joined. */
export function typedInput(events: readonly AsciicastEvent[]): string {
  return events
    .filter(([, code]) => code === 'i')
    .map(([, , data]) => data)
    .join('');
}
