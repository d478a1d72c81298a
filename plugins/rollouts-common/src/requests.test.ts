import { describeIssues } from '@cairn/request-schemas';
import {
  approveStageBodySchema,
  imageReferenceError,
  rollbackBodySchema,
  startUpdateBodySchema,
  stoneActionBodySchema,
  stonesQuerySchema,
} from './requests';

function issues(result: { success: boolean; error?: any }): string[] {
  return result.success ? [] : describeIssues(result.error);
}

describe('request schemas', () => {
  it('accepts an approval of a stage with a comment', () => {
    expect(
      approveStageBodySchema.parse({
        stage: 'Beta',
        resourceVersion: '42',
        comment: 'canary looks good',
      }),
    ).toEqual({
      stage: 'Beta',
      resourceVersion: '42',
      comment: 'canary looks good',
    });
  });

  it('refuses an unknown stage, a long comment and unknown fields', () => {
    expect(
      issues(
        approveStageBodySchema.safeParse({
          stage: 'Gamma',
          resourceVersion: '42',
          comment: 'x'.repeat(501),
          extra: true,
        }),
      ),
    ).toEqual([
      'stage: must be one of Alpha, Beta, Omega, Release',
      'comment: must be at most 500 characters',
      'Unrecognized key: "extra"',
    ]);
    expect(issues(stoneActionBodySchema.safeParse({}))).toEqual([
      "resourceVersion: is required: the Stone's metadata.resourceVersion the change was decided on",
    ]);
  });

  it('validates images by container name', () => {
    expect(
      startUpdateBodySchema.parse({
        resourceVersion: '42',
        images: { app: 'registry.example.com:5000/team/app:1.2' },
      }),
    ).toMatchObject({
      images: { app: 'registry.example.com:5000/team/app:1.2' },
    });
    expect(
      issues(
        startUpdateBodySchema.safeParse({ resourceVersion: '42', images: {} }),
      ),
    ).toEqual(['images: must name at least one container and its new image']);
    expect(
      issues(
        startUpdateBodySchema.safeParse({
          resourceVersion: '42',
          images: { App: 'Nginx:1.27' },
        }),
      ),
    ).toEqual([
      'images.App: "Nginx:1.27" is not an image reference: expected [registry/]name[:tag][@digest], lowercase name, e.g. registry.example.com/team/app:1.2',
      expect.stringMatching(/^images\.App: container name "App": /),
    ]);
  });

  it('takes a whole pod template for other changes', () => {
    const body = startUpdateBodySchema.parse({
      resourceVersion: '42',
      images: { app: 'nginx:1.28' },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: {
          containers: [{ name: 'app', image: 'nginx:1.27', args: ['-g'] }],
        },
      },
    });
    expect(body.template?.spec.containers[0]).toEqual({
      name: 'app',
      image: 'nginx:1.27',
      args: ['-g'],
    });
    expect(
      issues(
        startUpdateBodySchema.safeParse({
          resourceVersion: '42',
          images: { app: 'nginx:1.28' },
          template: { spec: { containers: [] } },
        }),
      ),
    ).toEqual(['template.spec.containers: must list at least one container']);
  });

  it('needs the revision of a rollback', () => {
    expect(
      issues(rollbackBodySchema.safeParse({ resourceVersion: '42' })),
    ).toEqual([
      'revision: is required: the name of the ControllerRevision to go back to',
    ]);
  });

  it('normalises the entity ref of the list query', () => {
    expect(stonesQuerySchema.parse({ entityRef: 'component:shop' })).toEqual({
      entityRef: 'component:default/shop',
    });
    expect(stonesQuerySchema.parse({})).toEqual({});
  });
});

describe('imageReferenceError', () => {
  it.each([
    'nginx',
    'nginx:1.27',
    'library/nginx:1.27-alpine',
    'localhost:5000/a/b_c__d-e:v1',
    'ghcr.io/org/app@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef',
    'ghcr.io/org/app:1.0@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef',
  ])('accepts %s', image => {
    expect(imageReferenceError(image)).toBeUndefined();
  });

  it.each([
    '',
    ' ',
    'Nginx',
    'nginx:',
    'nginx:-1',
    'a//b',
    'nginx@sha256:12',
    'has space:1',
  ])('refuses %j', image => {
    expect(imageReferenceError(image)).toEqual(expect.any(String));
  });
});
