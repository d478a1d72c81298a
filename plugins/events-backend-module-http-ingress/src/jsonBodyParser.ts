import { InputError } from '@backstage/errors';
import type { HttpBodyParser } from '@backstage/plugin-events-node';

/** An unsupported charset: 415, as the events backend answers it. */
class UnsupportedCharsetError extends Error {
  readonly name = 'UnsupportedCharsetError';
  readonly statusCode = 415;
}

/**
 * The events backend's `application/json` body parser, with one change: a
 * body that is not JSON (a truncated delivery, say) is a 400 naming the
 * problem. The events backend's own parser lets JSON.parse's SyntaxError
 * through, which its router answers with a 500 — and a 500 tells a Git
 * server to send the same broken body again.
 */
export const jsonBodyParser: HttpBodyParser = async (
  request,
  parsedMediaType,
  topic,
) => {
  const bodyBuffer = request.body;
  if (!Buffer.isBuffer(bodyBuffer)) {
    throw new Error(
      `Failed to retrieve raw body from incoming event for topic ${topic}; not a buffer: ${typeof bodyBuffer}`,
    );
  }
  const encoding = parsedMediaType.parameters.charset ?? 'utf-8';
  if (!Buffer.isEncoding(encoding)) {
    throw new UnsupportedCharsetError(`Unsupported charset: ${encoding}`);
  }
  const text = bodyBuffer.toString(encoding);
  try {
    return { bodyParsed: JSON.parse(text), bodyBuffer, encoding };
  } catch (error) {
    throw new InputError(
      `The body of this ${topic} event is not valid JSON (${
        (error as Error).message
      }); send the whole JSON document with Content-Type application/json`,
    );
  }
};
