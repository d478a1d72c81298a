import type { IncomingMessage } from 'node:http';
import { parse as parseYaml } from 'yaml';
import { decodeProtobufObject, PROTOBUF_CONTENT_TYPE } from './protobuf';
import { ApiError, badRequest, unsupportedMediaType } from './status';

/** kube-apiserver's limit on request bodies (3 MiB). */
const MAX_BODY_BYTES = 3 * 1024 * 1024;

export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) {
      throw new ApiError(
        413,
        'RequestEntityTooLarge',
        'Request entity too large: limit is 3145728',
      );
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

export function mediaType(req: IncomingMessage): string {
  return (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
}

/** A create/update body: JSON or YAML. */
export function decodeObjectBody(req: IncomingMessage, body: Buffer): unknown {
  const type = mediaType(req);
  if (type === '' || type === 'application/json' || type === '*/*')
    return parseJson(body);
  if (type === 'application/yaml') return parseYamlBody(body);
  if (type === PROTOBUF_CONTENT_TYPE) return decodeProtobufObject(body);
  throw unsupportedMediaType([
    'application/json',
    'application/yaml',
    PROTOBUF_CONTENT_TYPE,
  ]);
}

export function parseJson(body: Buffer): unknown {
  if (body.length === 0) throw badRequest("Object 'Kind' is missing in ''");
  try {
    return JSON.parse(body.toString('utf8'));
  } catch (e) {
    throw badRequest(
      `couldn't get version/kind; json parse error: ${(e as Error).message}`,
    );
  }
}

export function parseYamlBody(body: Buffer): unknown {
  try {
    return parseYaml(body.toString('utf8'));
  } catch (e) {
    throw badRequest(`error converting YAML to JSON: ${(e as Error).message}`);
  }
}
