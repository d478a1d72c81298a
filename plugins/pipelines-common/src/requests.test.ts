import { describeIssues } from '@cairn/request-schemas';
import { z } from 'zod';
import {
  cancelBodySchema,
  createPipelineBodySchema,
  rerunBodySchema,
  runsQuerySchema,
  startRunBodySchema,
  stepLogQuerySchema,
} from './requests';

/** The problems a request has, as the API reports them; [] when valid. */
function problems(schema: z.ZodType, input: unknown): string[] {
  const result = schema.safeParse(input);
  return result.success ? [] : describeIssues(result.error);
}

const SUBDOMAIN_ERROR =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const LABEL_ERROR =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";

const start = { cluster: 'dev', namespace: 'ci', pipeline: 'build' };

describe('the runs query', () => {
  it('defaults and reads the text of a query string', () => {
    expect(
      runsQuerySchema.parse({
        entityRef: 'component:shop',
        status: 'failed,running',
        limit: '10',
      }),
    ).toEqual({
      entityRef: 'component:default/shop',
      status: ['failed', 'running'],
      sort: 'started',
      order: 'desc',
      limit: 10,
    });
  });

  it('takes the entity, cluster and namespace filters of the list of every entity', () => {
    expect(
      runsQuerySchema.parse({
        entity: 'component:shop, component:cart',
        cluster: 'dev',
        namespace: 'ci',
      }),
    ).toEqual({
      entity: ['component:default/shop', 'component:default/cart'],
      cluster: 'dev',
      namespace: 'ci',
      sort: 'started',
      order: 'desc',
      limit: 25,
    });
  });

  it.each([
    [{ entityRef: '' }, 'entityRef: is required'],
    [{ entityRef: 'a/b/c' }, 'entityRef: "a/b/c" is not an entity ref'],
    [
      { entity: 'component:shop,a/b/c' },
      'entity.1: "a/b/c" is not an entity ref',
    ],
    [
      { status: 'done' },
      'status.0: must be a comma-separated list of succeeded, failed, cancelled, running, pending, skipped',
    ],
    [{ sort: 'size' }, 'sort: must be one of started, created'],
    [{ limit: '500' }, 'limit: must be a number from 1 to 200'],
    [{ namespace: 'A_B' }, `namespace: Invalid value: "A_B": ${LABEL_ERROR}`],
  ])('explains a bad query %j', (query, message) => {
    expect(problems(runsQuerySchema, query).join('; ')).toContain(message);
  });
});

describe('run and Pipeline names', () => {
  it('checks the Pipeline and ServiceAccount names of a start request', () => {
    expect(
      problems(startRunBodySchema, {
        ...start,
        pipeline: 'Build',
        serviceAccountName: 'ci_bot',
      }),
    ).toEqual([
      `pipeline: Invalid value: "Build": ${SUBDOMAIN_ERROR}`,
      `serviceAccountName: Invalid value: "ci_bot": ${SUBDOMAIN_ERROR}`,
    ]);
  });
});

describe('param values of a start or rerun request', () => {
  it('takes strings, lists of strings, objects of strings, and null for the default', () => {
    expect(
      startRunBodySchema.parse({
        ...start,
        params: { a: 'x', b: ['1', '2'], c: { k: 'v' }, d: null },
      }).params,
    ).toEqual({ a: 'x', b: ['1', '2'], c: { k: 'v' }, d: null });
  });

  it.each([
    [
      3,
      'params.count: must be a string, a list of strings or an object of string values, as the param\'s type declares; got the number 3 (send "3" as a string)',
    ],
    [
      true,
      'params.count: must be a string, a list of strings or an object of string values, as the param\'s type declares; got the boolean true (send "true" as a string)',
    ],
    [
      ['1', 2],
      "params.count: must be a string, a list of strings or an object of string values, as the param's type declares; got a list with a value that is not a string",
    ],
    [
      { k: 1 },
      "params.count: must be a string, a list of strings or an object of string values, as the param's type declares; got an object with a value that is not a string",
    ],
  ])('refuses %j rather than turning it into text', (value, message) => {
    expect(
      problems(startRunBodySchema, { ...start, params: { count: value } }),
    ).toEqual([message]);
    expect(problems(rerunBodySchema, { params: { count: value } })).toEqual([
      message,
    ]);
  });
});

describe('the start request', () => {
  it('applies its defaults', () => {
    expect(startRunBodySchema.parse(start)).toEqual({
      ...start,
      params: {},
      workspaces: [],
    });
  });

  it('explains bad timeouts and workspace bindings', () => {
    expect(
      problems(startRunBodySchema, {
        ...start,
        timeouts: { pipeline: '1 hour' },
        workspaces: [
          { name: 'src', emptyDir: {}, secret: { secretName: 'x' } },
        ],
      }),
    ).toEqual([
      'timeouts.pipeline: must be a duration such as "1h", "30m" or "1h30m" ("0" for none)',
      'workspaces.0: bind exactly one of emptyDir, persistentVolumeClaim, volumeClaimTemplate, configMap or secret',
    ]);
  });

  it('refuses fields it does not know', () => {
    expect(problems(startRunBodySchema, { ...start, parms: {} })).toEqual([
      'Unrecognized key: "parms"',
    ]);
  });
});

describe('the cancel request', () => {
  it('cancels now by default', () => {
    expect(cancelBodySchema.parse({})).toEqual({ mode: 'Cancelled' });
  });

  it('lists the three modes and what each does when given another', () => {
    expect(problems(cancelBodySchema, { mode: 'Stop' })).toEqual([
      'mode: must be Cancelled (Stop now: cancel running tasks and skip finally tasks), CancelledRunFinally (Stop now: cancel running tasks, then run finally tasks), StoppedRunFinally (Start no new tasks: let running tasks finish, then run finally tasks)',
    ]);
  });
});

describe('the step log query', () => {
  it('follows only when asked with true or false', () => {
    const query = { entityRef: 'component:shop', taskRun: 'tr', step: 's' };
    expect(stepLogQuerySchema.parse({ ...query, follow: 'true' }).follow).toBe(
      'true',
    );
    expect(problems(stepLogQuerySchema, { ...query, follow: 'yes' })).toEqual([
      'follow: must be true or false',
    ]);
  });
});

describe('a new Pipeline', () => {
  it('needs a Tekton v1 Pipeline with a valid name', () => {
    expect(
      problems(createPipelineBodySchema, {
        cluster: 'dev',
        namespace: 'ci',
        pipeline: {
          apiVersion: 'tekton.dev/v1beta1',
          kind: 'Pipeline',
          metadata: { name: 'Build' },
          spec: {},
        },
      }),
    ).toEqual([
      'pipeline.apiVersion: must be tekton.dev/v1: the builder writes Tekton v1 Pipelines',
      `pipeline.metadata.name: Invalid value: "Build": ${SUBDOMAIN_ERROR}`,
    ]);
  });

  it('needs a name', () => {
    expect(
      problems(createPipelineBodySchema, {
        cluster: 'dev',
        namespace: 'ci',
        pipeline: {
          apiVersion: 'tekton.dev/v1',
          kind: 'Pipeline',
          metadata: {},
          spec: {},
        },
      }),
    ).toEqual([
      'pipeline.metadata.name: metadata.name is required: the name of the new Pipeline',
    ]);
  });
});
