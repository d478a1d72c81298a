import type { Pipeline, PipelineRun } from '../types';
import type { GitDelivery } from './delivery';
import {
  buildTriggeredPipelineRun,
  describeWebhookTrigger,
  isSameTriggerGroup,
  toLabelValue,
  TriggeredRunError,
} from './pipelineRun';

const pr: GitDelivery = {
  provider: 'gitea',
  deliveryId: 'f6266f16-1bf3-46a5-9ea4-602e06ead473',
  event: 'pull_request',
  action: 'synchronized',
  repositoryUrl: 'http://localhost:3000/gitea/webhooks',
  repoOwner: 'gitea',
  repoName: 'webhooks',
  ref: 'refs/heads/feature/ci',
  branch: 'feature/ci',
  targetBranch: 'master',
  sha: 'bffeb74224043ba2feb48d137756c8a9331c449a',
  commitUrl: 'http://localhost:3000/gitea/webhooks/commit/bffeb742',
  sender: 'gitea',
  pullRequest: {
    number: 12,
    url: 'http://localhost:3000/gitea/webhooks/pulls/12',
  },
};

const pipeline: Pipeline = {
  metadata: {
    name: 'build',
    namespace: 'shop',
    labels: { 'backstage.io/kubernetes-id': 'shop' },
  },
  spec: {
    params: [
      { name: 'revision' },
      { name: 'repo_url' },
      { name: 'pull_request_number', default: '' },
      { name: 'source_branch', type: 'string' },
      { name: 'target_branch', default: 'main' },
      { name: 'sender', default: 'nobody' },
      { name: 'event_type', default: '' },
      { name: 'image', default: 'registry/shop' },
    ],
    tasks: [],
  },
};

describe('buildTriggeredPipelineRun', () => {
  it("fills PaC's dynamic params, keeps the others' defaults, labels the run", () => {
    expect(buildTriggeredPipelineRun(pipeline, pr)).toEqual({
      apiVersion: 'tekton.dev/v1',
      kind: 'PipelineRun',
      metadata: {
        generateName: 'build-',
        namespace: 'shop',
        labels: {
          'triggers.cairn.dev/event-type': 'pull_request',
          'triggers.cairn.dev/delivery-id':
            'f6266f16-1bf3-46a5-9ea4-602e06ead473',
          'triggers.cairn.dev/provider': 'gitea',
          'triggers.cairn.dev/sender': 'gitea',
          'triggers.cairn.dev/pull-request': '12',
          'backstage.io/kubernetes-id': 'shop',
        },
        annotations: {
          'triggers.cairn.dev/sha': 'bffeb74224043ba2feb48d137756c8a9331c449a',
          'triggers.cairn.dev/sender': 'gitea',
          'triggers.cairn.dev/ref': 'refs/heads/feature/ci',
          'triggers.cairn.dev/repository-url':
            'http://localhost:3000/gitea/webhooks',
          'triggers.cairn.dev/delivery-id':
            'f6266f16-1bf3-46a5-9ea4-602e06ead473',
          'triggers.cairn.dev/commit-url':
            'http://localhost:3000/gitea/webhooks/commit/bffeb742',
          'triggers.cairn.dev/pull-request-url':
            'http://localhost:3000/gitea/webhooks/pulls/12',
        },
      },
      spec: {
        pipelineRef: { name: 'build' },
        params: [
          {
            name: 'revision',
            value: 'bffeb74224043ba2feb48d137756c8a9331c449a',
          },
          { name: 'repo_url', value: 'http://localhost:3000/gitea/webhooks' },
          { name: 'pull_request_number', value: '12' },
          { name: 'source_branch', value: 'feature/ci' },
          { name: 'target_branch', value: 'master' },
          { name: 'sender', value: 'gitea' },
          { name: 'event_type', value: 'pull_request' },
        ],
      },
    });
  });

  it('is an error when a param without default is not filled by the delivery', () => {
    const push: GitDelivery = {
      ...pr,
      event: 'push',
      pullRequest: undefined,
      ref: 'refs/heads/main',
      branch: 'main',
      targetBranch: 'main',
    };
    const needsPr: Pipeline = {
      ...pipeline,
      spec: {
        params: [
          { name: 'revision' },
          { name: 'pull_request_number' },
          { name: 'registry' },
          { name: 'repo_url', type: 'array' },
        ],
        tasks: [],
      },
    };
    expect(() => buildTriggeredPipelineRun(needsPr, push)).toThrow(
      new TriggeredRunError(
        'build needs pull_request_number, registry, repo_url, which have no default and are not filled by a push delivery (it fills revision, repo_url, repo_owner, repo_name, source_branch, target_branch, sender, event_type)',
      ),
    );
  });

  it('turns any delivery id into a valid label value', () => {
    expect(toLabelValue('72d3162e-cc78-11e3-81ab-4c9367dc0958')).toBe(
      '72d3162e-cc78-11e3-81ab-4c9367dc0958',
    );
    expect(toLabelValue('-a/b:c-')).toBe('a-b-c');
    expect(toLabelValue('x'.repeat(80))).toHaveLength(63);
  });
});

describe('isSameTriggerGroup', () => {
  const run = (labels: Record<string, string>, ref?: string): PipelineRun => ({
    metadata: {
      labels,
      annotations: ref ? { 'triggers.cairn.dev/ref': ref } : {},
    },
    spec: {},
  });

  it('groups runs of the same pull request, or of pushes to the same ref', () => {
    const prLabels = {
      'triggers.cairn.dev/event-type': 'pull_request',
      'triggers.cairn.dev/pull-request': '12',
    };
    expect(isSameTriggerGroup(run(prLabels), pr)).toBe(true);
    expect(
      isSameTriggerGroup(
        run({ ...prLabels, 'triggers.cairn.dev/pull-request': '13' }),
        pr,
      ),
    ).toBe(false);
    const push: GitDelivery = { ...pr, event: 'push', pullRequest: undefined };
    const pushLabels = { 'triggers.cairn.dev/event-type': 'push' };
    expect(isSameTriggerGroup(run(pushLabels, pr.ref), push)).toBe(true);
    expect(isSameTriggerGroup(run(pushLabels, 'refs/heads/main'), push)).toBe(
      false,
    );
    expect(isSameTriggerGroup(run(prLabels, pr.ref), push)).toBe(false);
    expect(isSameTriggerGroup(run({}, pr.ref), push)).toBe(false);
  });
});

describe('describeWebhookTrigger', () => {
  it('names the push or pull request and who sent it, from the run labels', () => {
    const labels = buildTriggeredPipelineRun(pipeline, pr).metadata.labels;
    expect(describeWebhookTrigger(labels)).toBe('PR #12 by gitea');
    expect(
      describeWebhookTrigger({
        'triggers.cairn.dev/event-type': 'push',
        'triggers.cairn.dev/sender': 'alice',
      }),
    ).toBe('push by alice');
    expect(
      describeWebhookTrigger({ 'triggers.cairn.dev/event-type': 'push' }),
    ).toBe('push');
    expect(describeWebhookTrigger({ 'tekton.dev/pipeline': 'build' })).toBe(
      undefined,
    );
    expect(describeWebhookTrigger(undefined)).toBe(undefined);
  });
});
