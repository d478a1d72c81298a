import { describeIssues } from '@cairn/request-schemas';
import {
  forkBodySchema,
  groupRefSchema,
  listTemplatesQuerySchema,
  publishBodySchema,
  versionPathSchema,
} from './requests';

const issues = (result: { success: boolean; error?: any }) =>
  result.success ? [] : describeIssues(result.error);

describe('the template store’s request schemas', () => {
  it('normalises owner groups as the catalog writes refs', () => {
    expect(groupRefSchema.parse('platform')).toBe('group:default/platform');
    expect(groupRefSchema.parse('Group:Default/Platform')).toBe(
      'group:default/platform',
    );
    expect(issues(groupRefSchema.safeParse('user:default/ada'))).toEqual([
      'must be a group ref',
    ]);
  });

  it('reads the list’s query with defaults, and refuses unknown parameters', () => {
    expect(listTemplatesQuerySchema.parse({})).toEqual({
      sort: 'name',
      page: 1,
    });
    expect(
      listTemplatesQuerySchema.parse({ page: '3', kind: 'StepAction' }),
    ).toEqual({ sort: 'name', page: 3, kind: 'StepAction' });
    expect(
      issues(listTemplatesQuerySchema.safeParse({ kind: 'task', q: 'x' })),
    ).toEqual([
      'kind: must be one of Task, Pipeline, StepAction (as Tekton spells it)',
      'Unrecognized key: "q"',
    ]);
  });

  it('checks versions and names in paths and bodies', () => {
    expect(
      issues(
        versionPathSchema.safeParse({
          kind: 'Task',
          name: 'Git_Clone',
          version: 'latest',
        }),
      ),
    ).toEqual([
      'name: a lowercase RFC 1123 subdomain',
      'version: invalid value: "latest": a version is MAJOR.MINOR or MAJOR.MINOR.PATCH (semver), e.g. 0.9 or 1.2.0',
    ]);
    expect(
      issues(publishBodySchema.safeParse({ owner: 'ops', version: '1.0' })),
    ).toEqual(['yaml: is required: the Task, Pipeline or StepAction YAML']);
    expect(
      forkBodySchema.parse({
        owner: 'team-a',
        name: 'my-clone',
        version: '0.9',
      }),
    ).toEqual({
      owner: 'group:default/team-a',
      name: 'my-clone',
      version: '0.9',
    });
  });
});
