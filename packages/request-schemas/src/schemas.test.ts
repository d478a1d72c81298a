import { z } from 'zod';
import {
  describeIssues,
  entityRefSchema,
  namespaceNameSchema,
  objectPathSchema,
} from './schemas';

/** The problems a request has, as the APIs report them; [] when valid. */
function problems(schema: z.ZodType, input: unknown): string[] {
  const result = schema.safeParse(input);
  return result.success ? [] : describeIssues(result.error);
}

const SUBDOMAIN_ERROR =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

describe('describeIssues', () => {
  it('gives one message per problem, prefixed with its field when it has one', () => {
    const schema = z.object({
      timeouts: z.object({ pipeline: z.string({ error: 'must be text' }) }),
    });
    expect(problems(schema, { timeouts: { pipeline: 1 } })).toEqual([
      'timeouts.pipeline: must be text',
    ]);
    expect(problems(z.string({ error: 'must be text' }), 1)).toEqual([
      'must be text',
    ]);
  });
});

describe('entityRefSchema', () => {
  it('normalises an entity ref and says how to write one it cannot read', () => {
    expect(entityRefSchema.parse('Component:shop')).toBe(
      'component:default/shop',
    );
    expect(problems(entityRefSchema, 'shop')).toEqual([
      '"shop" is not an entity ref; use kind:namespace/name, e.g. component:default/shop',
    ]);
    expect(problems(entityRefSchema, '')).toEqual([
      'is required: the catalog entity it belongs to, e.g. component:default/shop',
    ]);
  });
});

describe('namespaceNameSchema', () => {
  it('puts the rule in the JSON schema too', () => {
    expect(z.toJSONSchema(namespaceNameSchema())).toMatchObject({
      type: 'string',
      pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$',
      maxLength: 63,
    });
  });
});

describe('objectPathSchema', () => {
  it('accepts what Kubernetes accepts: a DNS-1123 subdomain of up to 253 characters', () => {
    const longest = `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(
      63,
    )}.${'d'.repeat(61)}`;
    expect(longest).toHaveLength(253);
    for (const name of ['build-x7k2p', 'v1.2.3', '0', longest]) {
      expect(
        problems(objectPathSchema, { cluster: 'dev', namespace: 'ci', name }),
      ).toEqual([]);
    }
  });

  it.each([
    ['Build', [SUBDOMAIN_ERROR]],
    ['build-', [SUBDOMAIN_ERROR]],
    ['a..b', [SUBDOMAIN_ERROR]],
    ['a_b', [SUBDOMAIN_ERROR]],
    ['a'.repeat(254), ['must be no more than 253 characters']],
    [
      `-${'a'.repeat(253)}`,
      ['must be no more than 253 characters', SUBDOMAIN_ERROR],
    ],
  ])('refuses %j in Kubernetes words', (name, errors) => {
    expect(
      problems(objectPathSchema, { cluster: 'dev', namespace: 'ci', name }),
    ).toEqual(
      errors.map(e => `name: Invalid value: ${JSON.stringify(name)}: ${e}`),
    );
  });

  it('refuses a namespace Kubernetes would refuse, and names its rule', () => {
    expect(
      problems(objectPathSchema, {
        cluster: 'dev',
        namespace: 'a'.repeat(64),
        name: 'x',
      }),
    ).toEqual([
      `namespace: Invalid value: "${'a'.repeat(
        64,
      )}": must be no more than 63 characters`,
    ]);
  });

  it('says a missing name is required', () => {
    expect(
      problems(objectPathSchema, { cluster: 'dev', namespace: 'ci' }),
    ).toEqual(['name: is required: the object name']);
  });
});
