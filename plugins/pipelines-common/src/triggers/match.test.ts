import type { Pipeline } from '../types';
import { TRIGGER_ANNOTATIONS as A } from './annotations';
import type { GitDelivery } from './delivery';
import {
  matchDelivery,
  matchesChangedFiles,
  matchesTargetBranch,
} from './match';

const push: GitDelivery = {
  provider: 'github',
  deliveryId: 'd-1',
  event: 'push',
  repositoryUrl: 'https://github.com/acme/shop',
  repoOwner: 'acme',
  repoName: 'shop',
  ref: 'refs/heads/main',
  branch: 'main',
  targetBranch: 'main',
  sha: 'abc',
  sender: 'alice',
  changedFiles: ['src/app.ts', 'README.md'],
};

const pipeline = (
  name: string,
  annotations: Record<string, string>,
): { cluster: string; pipeline: Pipeline } => ({
  cluster: 'dev',
  pipeline: {
    metadata: { name, namespace: 'shop', annotations },
    spec: { tasks: [] },
  },
});

describe('matchesTargetBranch', () => {
  it('matches branch names and full refs with globs', () => {
    expect(matchesTargetBranch('main', ['main'])).toBe(true);
    expect(matchesTargetBranch('release/1.2', ['main', 'release/*'])).toBe(
      true,
    );
    expect(matchesTargetBranch('release/1.2/hotfix', ['release/*'])).toBe(
      false,
    );
    expect(matchesTargetBranch('main', ['refs/heads/main'])).toBe(true);
    expect(matchesTargetBranch('feature', ['main'])).toBe(false);
  });

  it('matches tags only with refs/tags/ patterns', () => {
    expect(matchesTargetBranch('refs/tags/v1.0', ['refs/tags/*'])).toBe(true);
    expect(matchesTargetBranch('refs/tags/v1.0', ['refs/tags/v2*'])).toBe(
      false,
    );
    expect(matchesTargetBranch('refs/tags/v1.0', ['*', '**'])).toBe(false);
    expect(matchesTargetBranch('main', ['refs/tags/*'])).toBe(false);
  });
});

describe('matchesChangedFiles', () => {
  it('matches any changed file against any glob, dot files included', () => {
    expect(matchesChangedFiles(['src/a/b.ts'], ['src/**'])).toBe(true);
    expect(matchesChangedFiles(['docs/x.md'], ['src/**', '*.go'])).toBe(false);
    expect(matchesChangedFiles(['.tekton/ci.yaml'], ['.tekton/**'])).toBe(true);
    expect(matchesChangedFiles([], ['**'])).toBe(false);
  });
});

describe('matchDelivery', () => {
  it('leaves out Pipelines of other repositories or without triggers', () => {
    expect(
      matchDelivery(push, [
        pipeline('other', { [A.repository]: 'https://github.com/acme/other' }),
        pipeline('plain', {}),
      ]),
    ).toEqual([]);
  });

  it('matches the repository case-insensitively, .git ignored', () => {
    const results = matchDelivery(push, [
      pipeline('ci', { [A.repository]: 'https://GitHub.com/Acme/Shop.git' }),
    ]);
    expect(results).toHaveLength(1);
    expect(results[0].matched).toBe(true);
  });

  it('says why each Pipeline of the repository does not run', () => {
    const repo = { [A.repository]: 'https://github.com/acme/shop' };
    const results = matchDelivery(push, [
      pipeline('pr-only', { ...repo, [A.onEvent]: '[pull_request]' }),
      pipeline('release', { ...repo, [A.onTargetBranch]: '[release/*]' }),
      pipeline('docs', { ...repo, [A.onPathChange]: '[docs/**]' }),
      pipeline('broken', { ...repo, [A.maxKeepRuns]: 'many' }),
      pipeline('src', { ...repo, [A.onPathChange]: '[src/**]' }),
    ]);
    expect(
      results.map(r => [
        r.candidate.pipeline.metadata.name,
        r.matched ? 'run' : r.mismatch,
        r.matched ? '' : r.reason,
      ]),
    ).toEqual([
      ['pr-only', 'event', 'it runs on pull_request, not push'],
      ['release', 'branch', 'main is not one of release/*'],
      ['docs', 'path', 'no changed file matches docs/**'],
      [
        'broken',
        'invalid-annotations',
        'triggers.cairn.dev/max-keep-runs: "many" must be a positive whole number',
      ],
      ['src', 'run', ''],
    ]);
  });

  it('matches a pull request by its target branch and ignores path filters it cannot check', () => {
    const pr: GitDelivery = {
      ...push,
      event: 'pull_request',
      action: 'opened',
      ref: 'refs/heads/feature',
      branch: 'feature',
      targetBranch: 'main',
      changedFiles: undefined,
      pullRequest: { number: 12, url: 'https://github.com/acme/shop/pull/12' },
    };
    const repo = { [A.repository]: 'https://github.com/acme/shop' };
    const results = matchDelivery(pr, [
      pipeline('main', { ...repo, [A.onTargetBranch]: '[main]' }),
      pipeline('feature', { ...repo, [A.onTargetBranch]: '[feature]' }),
      pipeline('docs', { ...repo, [A.onPathChange]: '[docs/**]' }),
    ]);
    expect(results.map(r => r.matched)).toEqual([true, false, true]);
  });
});
