import examples from '@octokit/webhooks-examples';
import giteaPullRequest from './__fixtures__/gitea-pull-request.json';
import giteaPush from './__fixtures__/gitea-push.json';
import gitlabMergeRequest from './__fixtures__/gitlab-merge-request.json';
import gitlabPush from './__fixtures__/gitlab-push.json';
import { readDelivery, WebhookPayloadError } from './delivery';

const githubExamples = (name: string) =>
  examples.find(e => e.name === name)!.examples as any[];
const githubPushToBranch = githubExamples('push').find(
  e => e.ref === 'refs/heads/master',
);
const githubPullRequest = (action: string) =>
  githubExamples('pull_request').find(e => e.action === action);

const github = (event: string) => ({
  'x-github-event': event,
  'x-github-delivery': '72d3162e-cc78-11e3-81ab-4c9367dc0958',
});
const gitlab = (event: string) => ({
  'x-gitlab-event': event,
  'x-gitlab-event-uuid': '13792a34-cac6-4fda-95a8-c58e00a3954e',
});
const gitea = (event: string) => ({
  'x-gitea-event': event,
  'x-gitea-delivery': 'f6266f16-1bf3-46a5-9ea4-602e06ead473',
});

describe('readDelivery', () => {
  it("reads GitHub's push example", () => {
    expect(readDelivery('github', github('push'), githubPushToBranch)).toEqual({
      kind: 'delivery',
      delivery: {
        provider: 'github',
        deliveryId: '72d3162e-cc78-11e3-81ab-4c9367dc0958',
        event: 'push',
        repositoryUrl: 'https://github.com/Codertocat/Hello-World',
        repoOwner: 'Codertocat',
        repoName: 'Hello-World',
        ref: 'refs/heads/master',
        branch: 'master',
        tag: undefined,
        targetBranch: 'master',
        sha: '6113728f27ae82c7b1a177c8d03f9e96e0adf246',
        commitUrl: githubPushToBranch.head_commit.url,
        sender: 'Codertocat',
        changedFiles: [
          ...new Set(
            githubPushToBranch.commits.flatMap((c: any) => [
              ...c.added,
              ...c.modified,
              ...c.removed,
            ]),
          ),
        ].sort(),
      },
    });
  });

  it("reads GitHub's tag push as refs/tags/<tag> and its tag deletion as ignored", () => {
    const [created, deleted] = githubExamples('push').filter(
      e => e.ref === 'refs/tags/simple-tag',
    );
    const result = readDelivery('github', github('push'), created);
    expect(result).toMatchObject({
      kind: 'delivery',
      delivery: {
        tag: 'simple-tag',
        branch: undefined,
        targetBranch: 'refs/tags/simple-tag',
        changedFiles: [],
      },
    });
    expect(readDelivery('github', github('push'), deleted)).toEqual({
      kind: 'ignored',
      event: 'push',
      reason: 'refs/tags/simple-tag was deleted',
    });
  });

  it("reads GitHub's pull_request examples: head sha, branches, number", () => {
    const payload = githubPullRequest('synchronize');
    expect(
      readDelivery('github', github('pull_request'), payload),
    ).toMatchObject({
      kind: 'delivery',
      delivery: {
        event: 'pull_request',
        action: 'synchronize',
        ref: 'refs/heads/changes',
        branch: 'changes',
        targetBranch: 'master',
        sha: 'ec26c3e57ca3a959ca5aad62de7213c562f8c821',
        sender: 'Codertocat',
        pullRequest: {
          number: 2,
          url: 'https://github.com/Codertocat/Hello-World/pull/2',
        },
        commitUrl:
          'https://github.com/Codertocat/Hello-World/commit/ec26c3e57ca3a959ca5aad62de7213c562f8c821',
      },
    });
    expect(
      (readDelivery('github', github('pull_request'), payload) as any).delivery
        .changedFiles,
    ).toBeUndefined();
    for (const action of ['opened', 'reopened']) {
      expect(
        readDelivery(
          'github',
          github('pull_request'),
          githubPullRequest(action),
        ).kind,
      ).toBe('delivery');
    }
  });

  it('ignores pull request actions that bring no new commits', () => {
    for (const action of ['closed', 'labeled', 'ready_for_review']) {
      expect(
        readDelivery(
          'github',
          github('pull_request'),
          githubPullRequest(action),
        ),
      ).toEqual({
        kind: 'ignored',
        event: 'pull_request',
        reason: `pull request action "${action}" does not start pipelines (only opened, reopened, synchronize)`,
      });
    }
  });

  it('ignores events other than pushes and pull requests', () => {
    expect(
      readDelivery('github', github('issues'), githubExamples('issues')[0]),
    ).toEqual({
      kind: 'ignored',
      event: 'issues',
      reason:
        'issues events do not start pipelines (only pushes and pull/merge requests)',
    });
  });

  it("reads GitLab's push example with its changed files", () => {
    expect(readDelivery('gitlab', gitlab('Push Hook'), gitlabPush)).toEqual({
      kind: 'delivery',
      delivery: {
        provider: 'gitlab',
        deliveryId: '13792a34-cac6-4fda-95a8-c58e00a3954e',
        event: 'push',
        repositoryUrl: 'http://example.com/mike/diaspora',
        repoOwner: 'mike',
        repoName: 'diaspora',
        ref: 'refs/heads/master',
        branch: 'master',
        tag: undefined,
        targetBranch: 'master',
        sha: 'da1560886d4f094c3e6c9ef40349f7d38b5d27d7',
        commitUrl:
          'http://example.com/mike/diaspora/commit/da1560886d4f094c3e6c9ef40349f7d38b5d27d7',
        sender: 'jsmith',
        changedFiles: ['CHANGELOG', 'app/controller/application.rb'],
      },
    });
  });

  it('leaves the changed files unknown when GitLab truncated the commit list', () => {
    const truncated = { ...gitlabPush, total_commits_count: 40 };
    const result = readDelivery('gitlab', gitlab('Push Hook'), truncated);
    expect(result.kind).toBe('delivery');
    expect((result as any).delivery.changedFiles).toBeUndefined();
  });

  it("reads GitLab's merge request example; update only with new commits", () => {
    expect(
      readDelivery('gitlab', gitlab('Merge Request Hook'), gitlabMergeRequest),
    ).toMatchObject({
      kind: 'delivery',
      delivery: {
        event: 'pull_request',
        action: 'open',
        repositoryUrl: 'http://example.com/gitlabhq/gitlab-test',
        repoOwner: 'gitlabhq',
        repoName: 'gitlab-test',
        branch: 'ms-viewport',
        targetBranch: 'master',
        sha: 'da1560886d4f094c3e6c9ef40349f7d38b5d27d7',
        sender: 'root',
        pullRequest: {
          number: 1,
          url: 'http://example.com/diaspora/merge_requests/1',
        },
      },
    });
    const update = (oldrev?: string) => ({
      ...gitlabMergeRequest,
      object_attributes: {
        ...gitlabMergeRequest.object_attributes,
        action: 'update',
        oldrev,
      },
    });
    expect(
      readDelivery('gitlab', gitlab('Merge Request Hook'), update()),
    ).toEqual({
      kind: 'ignored',
      event: 'pull_request',
      reason: 'merge request update without new commits',
    });
    expect(
      readDelivery(
        'gitlab',
        gitlab('Merge Request Hook'),
        update('95790bf891e76fee5e1747ab589903a6a1f80f22'),
      ).kind,
    ).toBe('delivery');
  });

  it("reads Gitea's push example (no file lists: changed files unknown)", () => {
    expect(readDelivery('gitea', gitea('push'), giteaPush)).toEqual({
      kind: 'delivery',
      delivery: {
        provider: 'gitea',
        deliveryId: 'f6266f16-1bf3-46a5-9ea4-602e06ead473',
        event: 'push',
        repositoryUrl: 'http://localhost:3000/gitea/webhooks',
        repoOwner: 'gitea',
        repoName: 'webhooks',
        ref: 'refs/heads/develop',
        branch: 'develop',
        tag: undefined,
        targetBranch: 'develop',
        sha: 'bffeb74224043ba2feb48d137756c8a9331c449a',
        commitUrl:
          'http://localhost:3000/gitea/webhooks/commit/bffeb74224043ba2feb48d137756c8a9331c449a',
        sender: 'gitea',
        changedFiles: undefined,
      },
    });
  });

  it("reads Gitea's pull request with its synchronized action", () => {
    expect(
      readDelivery('gitea', gitea('pull_request'), giteaPullRequest),
    ).toMatchObject({
      kind: 'delivery',
      delivery: {
        event: 'pull_request',
        action: 'synchronized',
        branch: 'feature/ci',
        targetBranch: 'master',
        sha: 'bffeb74224043ba2feb48d137756c8a9331c449a',
        pullRequest: {
          number: 12,
          url: 'http://localhost:3000/gitea/webhooks/pulls/12',
        },
      },
    });
    // GitHub's word is not Gitea's.
    expect(
      readDelivery('gitea', gitea('pull_request'), {
        ...giteaPullRequest,
        action: 'synchronize',
      }).kind,
    ).toBe('ignored');
  });

  it("takes Forgejo's delivery header too", () => {
    const result = readDelivery(
      'gitea',
      { 'x-forgejo-event': 'push', 'x-forgejo-delivery': 'forgejo-1' },
      giteaPush,
    );
    expect((result as any).delivery.deliveryId).toBe('forgejo-1');
  });

  it('refuses deliveries without id or event header, and malformed payloads', () => {
    expect(() =>
      readDelivery('github', { 'x-github-event': 'push' }, githubPushToBranch),
    ).toThrow(
      new WebhookPayloadError('the delivery has no x-github-delivery header'),
    );
    expect(() =>
      readDelivery('gitlab', { 'x-gitlab-event-uuid': 'x' }, gitlabPush),
    ).toThrow('the delivery has no x-gitlab-event header');
    expect(() => readDelivery('gitea', gitea('push'), 'not json')).toThrow(
      'the payload is not a JSON object',
    );
    expect(() =>
      readDelivery('gitea', gitea('push'), { ...giteaPush, after: undefined }),
    ).toThrow('the payload has no after');
    expect(() =>
      readDelivery('github', github('push'), {
        ...githubPushToBranch,
        ref: 'refs/notes/commits',
      }),
    ).toThrow(
      'the pushed ref refs/notes/commits is neither a branch nor a tag',
    );
  });
});
