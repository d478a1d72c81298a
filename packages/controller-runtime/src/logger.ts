/*
 * Structured logs, one JSON object a line, as controller-runtime's zap
 * logger writes them: level, ts, logger, msg and the fields (the object's
 * key among them), so a log pipeline can select by controller and object.
 */

export type LogFields = Record<string, unknown>;

export interface Logger {
  info(msg: string, fields?: LogFields): void;
  error(msg: string, error: unknown, fields?: LogFields): void;
  /** A logger whose lines also carry `fields`. */
  child(fields: LogFields): Logger;
}

function errorText(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}

export function jsonLogger(
  write: (line: string) => void = line => process.stdout.write(line),
  fields: LogFields = {},
): Logger {
  const emit = (level: string, msg: string, extra: LogFields) =>
    write(
      `${JSON.stringify({
        level,
        ts: new Date().toISOString(),
        msg,
        ...fields,
        ...extra,
      })}\n`,
    );
  return {
    info: (msg, extra = {}) => emit('info', msg, extra),
    error: (msg, error, extra = {}) =>
      emit('error', msg, { ...extra, error: errorText(error) }),
    child: more => jsonLogger(write, { ...fields, ...more }),
  };
}

/** Drops every line (for code that embeds a controller and reports errors itself). */
export const silentLogger: Logger = {
  info: () => {},
  error: () => {},
  child: () => silentLogger,
};
