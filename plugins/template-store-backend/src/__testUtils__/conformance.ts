import Ajv2020 from 'ajv/dist/2020';
import { buildOpenApiDocument } from '../service/openapi';

/** The errors of a response body against a schema (a `$ref`) of the OpenAPI document: none when it conforms. */
export function conformsTo(
  schema: Record<string, any>,
  value: unknown,
): unknown[] {
  const ajv = new Ajv2020({ strict: false, validateFormats: false });
  ajv.addSchema({ $id: 'doc', components: buildOpenApiDocument().components });
  const validate = ajv.compile({ $ref: `doc${schema.$ref}` });
  validate(value);
  return validate.errors ?? [];
}
