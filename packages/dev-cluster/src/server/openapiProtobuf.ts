import { stringify } from 'yaml';

/*
 * /openapi/v2 in the protobuf form client-go asks for
 * (application/com.github.proto-openapi.spec.v2@v1.0+protobuf): gnostic's
 * openapi_v2.Document, which kubectl reads for `explain
 * --output=plaintext-openapiv2` and when OpenAPI v3 is unavailable. It holds
 * what those readers use: the definitions with their descriptions, types,
 * references and vendor extensions (x-kubernetes-group-version-kind among
 * them); the paths stay in the JSON form only. Field numbers are those of
 * gnostic's openapiv2/OpenAPIv2.proto.
 */

/** The content type of the answer (clients' MIME parsers refuse the "@" of the form they ask for). */
export const OPENAPI_V2_PROTOBUF =
  'application/com.github.proto-openapi.spec.v2.v1.0+protobuf';

/** Whether an Accept header asks for the protobuf form of /openapi/v2. */
export function acceptsOpenApiV2Protobuf(accept: string | undefined): boolean {
  return (accept ?? '').includes('com.github.proto-openapi.spec.v2');
}

type Schema = Record<string, unknown>;

function varint(value: number): Buffer {
  const bytes: number[] = [];
  let v = value;
  while (v > 0x7f) {
    bytes.push((v & 0x7f) | 0x80);
    v = Math.floor(v / 128);
  }
  bytes.push(v);
  return Buffer.from(bytes);
}

/** Builds one message: fields appended in order. */
class Message {
  private readonly parts: Buffer[] = [];

  bytes(field: number, value: Buffer): this {
    this.parts.push(varint((field << 3) | 2), varint(value.length), value);
    return this;
  }

  string(field: number, value: unknown): this {
    return typeof value === 'string' && value
      ? this.bytes(field, Buffer.from(value))
      : this;
  }

  bool(field: number, value: boolean): this {
    this.parts.push(varint(field << 3), varint(value ? 1 : 0));
    return this;
  }

  encode(): Buffer {
    return Buffer.concat(this.parts);
  }
}

/** NamedAny{name, value: Any{yaml}}: a vendor extension. */
function vendorExtension(name: string, value: unknown): Buffer {
  const any = new Message().string(2, stringify(value)).encode();
  return new Message().string(1, name).bytes(2, any).encode();
}

function named(name: string, value: Buffer): Buffer {
  return new Message().string(1, name).bytes(2, value).encode();
}

export function encodeSchema(schema: Schema): Buffer {
  const message = new Message()
    .string(1, schema.$ref)
    .string(2, schema.format)
    .string(4, schema.description);
  for (const name of (schema.required as string[] | undefined) ?? [])
    message.string(19, name);
  const additional = schema.additionalProperties;
  if (typeof additional === 'boolean') {
    message.bytes(21, new Message().bool(2, additional).encode());
  } else if (additional && typeof additional === 'object') {
    message.bytes(
      21,
      new Message().bytes(1, encodeSchema(additional as Schema)).encode(),
    );
  }
  if (typeof schema.type === 'string')
    message.bytes(22, new Message().string(1, schema.type).encode());
  if (schema.items && typeof schema.items === 'object')
    message.bytes(
      23,
      new Message().bytes(1, encodeSchema(schema.items as Schema)).encode(),
    );
  for (const part of (schema.allOf as Schema[] | undefined) ?? [])
    message.bytes(24, encodeSchema(part));
  const properties = schema.properties as Record<string, Schema> | undefined;
  if (properties) {
    const list = new Message();
    for (const [name, property] of Object.entries(properties))
      list.bytes(1, named(name, encodeSchema(property)));
    message.bytes(25, list.encode());
  }
  for (const [key, value] of Object.entries(schema))
    if (key.startsWith('x-')) message.bytes(31, vendorExtension(key, value));
  return message.encode();
}

/** The Swagger document (swaggerDocument in openapi.ts) as openapi_v2.Document. */
export function encodeSwaggerDocument(document: {
  swagger: string;
  info: { title: string; version: string };
  definitions: Record<string, Schema>;
}): Buffer {
  const info = new Message()
    .string(1, document.info.title)
    .string(2, document.info.version)
    .encode();
  const definitions = new Message();
  for (const [name, schema] of Object.entries(document.definitions))
    definitions.bytes(1, named(name, encodeSchema(schema)));
  return new Message()
    .string(1, document.swagger)
    .bytes(2, info)
    .bytes(9, definitions.encode())
    .encode();
}
