import { framesBetween, parseAsciicast, typedInput } from './asciicast';

const cast = [
  '{"version":2,"width":80,"height":24,"timestamp":1765000000}',
  '[0.1,"o","$ "]',
  '[0.5,"i","echo hi\\r"]',
  '[0.6,"o","echo hi\\r\\n"]',
  '[0.61,"o","hi\\r\\n"]',
  '[1.0,"r","120x40"]',
  '[1.2,"o","$ "]',
  '',
].join('\n');

describe('asciicast', () => {
  it('parses the header and events', () => {
    const parsed = parseAsciicast(cast);
    expect(parsed.header).toMatchObject({ version: 2, width: 80, height: 24 });
    expect(parsed.events).toHaveLength(6);
    expect(parsed.duration).toBe(1.2);
  });

  it('refuses what is not asciicast v2, naming the line', () => {
    expect(() => parseAsciicast('{"version":1}')).toThrow(
      'line 1: not an asciicast v2 header (version 1)',
    );
    expect(() =>
      parseAsciicast('{"version":2,"width":1,"height":1}\n{"o":1}'),
    ).toThrow('line 2: not an asciicast event');
    expect(() => parseAsciicast('\n')).toThrow('the recording is empty');
  });

  it('gives the output between two moments, joined, with resizes in order', () => {
    const { events } = parseAsciicast(cast);
    expect(framesBetween(events, -Infinity, 0.61)).toEqual([
      { output: '$ echo hi\r\nhi\r\n' },
    ]);
    expect(framesBetween(events, 0.61, 2)).toEqual([
      { cols: 120, rows: 40 },
      { output: '$ ' },
    ]);
    expect(framesBetween(events, 2, 3)).toEqual([]);
  });

  it('tells what was typed', () => {
    expect(typedInput(parseAsciicast(cast).events)).toBe('echo hi\r');
  });
});
