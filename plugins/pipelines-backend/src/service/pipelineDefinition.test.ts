import { Pipeline } from '@cairn/plugin-pipelines-common';
import { EntityScope, parseLabelSelector } from '@cairn/plugin-kubernetes-node';
import {
  invalidPipelineError,
  labelForEntity,
  restoreServerOwned,
} from './pipelineDefinition';

function scope(selectorText: string): EntityScope {
  return {
    entityRef: 'component:default/shop',
    selector: parseLabelSelector(selectorText),
    selectorText,
  };
}

const where = { cluster: 'dev', namespace: 'ci', name: 'build' };

const pipeline = (metadata: Pipeline['metadata'] = {}): Pipeline => ({
  apiVersion: 'tekton.dev/v1',
  kind: 'Pipeline',
  metadata,
  spec: { tasks: [] },
});

describe('labelForEntity', () => {
  it('sets the name, namespace and entity labels, keeping the other labels and fields', () => {
    const edited = {
      ...pipeline({ labels: { team: 'a' }, annotations: { note: 'x' } }),
      extra: true,
    };
    expect(
      labelForEntity(scope('backstage.io/kubernetes-id=shop'), where, edited),
    ).toEqual({
      ...edited,
      metadata: {
        name: 'build',
        namespace: 'ci',
        labels: { team: 'a', 'backstage.io/kubernetes-id': 'shop' },
        annotations: { note: 'x' },
      },
    });
  });

  it('refuses a name or namespace other than where it is saved', () => {
    const s = scope('backstage.io/kubernetes-id=shop');
    expect(() => labelForEntity(s, where, pipeline({ name: 'other' }))).toThrow(
      'metadata.name is "other" but the Pipeline saved is "build"; a Pipeline cannot be renamed: create one with the new name instead',
    );
    expect(() =>
      labelForEntity(s, where, pipeline({ namespace: 'prod' })),
    ).toThrow(
      'metadata.namespace is "prod" but the Pipeline is saved in namespace "ci"; make them the same',
    );
  });

  it("refuses another entity's label value rather than moving the Pipeline", () => {
    expect(() =>
      labelForEntity(
        scope('backstage.io/kubernetes-id=shop'),
        where,
        pipeline({ labels: { 'backstage.io/kubernetes-id': 'cart' } }),
      ),
    ).toThrow(
      'metadata.labels["backstage.io/kubernetes-id"] is "cart", but the Pipelines of component:default/shop carry "shop"; remove the label or set it to "shop"',
    );
  });

  it('refuses labels the rest of the selector does not match', () => {
    const s = scope('app=shop,tier in (web,api)');
    expect(() => labelForEntity(s, where, pipeline())).toThrow(
      `the Pipeline's labels do not match "app=shop,tier in (web,api)", the label selector of component:default/shop, so its CI/CD tab would not find it; set metadata.labels so they match`,
    );
    expect(
      labelForEntity(s, where, pipeline({ labels: { tier: 'api' } })).metadata
        .labels,
    ).toEqual({ app: 'shop', tier: 'api' });
  });
});

describe('restoreServerOwned', () => {
  const current: Pipeline = {
    ...pipeline({
      name: 'build',
      namespace: 'ci',
      uid: 'u-1',
      resourceVersion: '42',
      generation: 3,
      creationTimestamp: '2026-11-25T00:00:00Z',
      managedFields: [{ manager: 'kubectl' }],
      labels: { a: 'b' },
      annotations: { gone: 'soon' },
    }),
    status: { observed: true },
  };

  it('puts back what the editor hides, with the resourceVersion the user loaded', () => {
    const edited = pipeline({ name: 'build', namespace: 'ci', labels: {} });
    expect(restoreServerOwned(edited, current, '40')).toEqual({
      ...edited,
      status: { observed: true },
      metadata: {
        name: 'build',
        namespace: 'ci',
        uid: 'u-1',
        resourceVersion: '40',
        generation: 3,
        creationTimestamp: '2026-11-25T00:00:00Z',
        managedFields: [{ manager: 'kubectl' }],
        // Labels and annotations are the user's: removed ones stay removed.
        labels: {},
      },
    });
  });
});

describe('invalidPipelineError', () => {
  it('lists the errors with their paths and lets warnings pass', () => {
    expect(
      invalidPipelineError('build', [
        {
          severity: 'warning',
          message: 'unused param',
          path: 'spec.params[0]',
        },
      ]),
    ).toBeUndefined();
    expect(
      invalidPipelineError('build', [
        {
          severity: 'error',
          message: 'missing field(s)',
          path: 'spec.tasks[0].taskSpec.steps[0].image',
        },
        {
          severity: 'error',
          message: 'invalid value: cycle',
          path: 'spec.tasks[1].runAfter',
        },
      ])?.message,
    ).toBe(
      'pipeline "build" is not valid: spec.tasks[0].taskSpec.steps[0].image: missing field(s); spec.tasks[1].runAfter: invalid value: cycle',
    );
  });
});
