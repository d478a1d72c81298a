import { isPipelinesAvailable } from './constants';

const entity = (annotations?: Record<string, string>) => ({
  metadata: { annotations },
});

describe('isPipelinesAvailable', () => {
  it('accepts the Cairn and the community opt-in annotations', () => {
    const id = { 'backstage.io/kubernetes-id': 'payments' };
    expect(
      isPipelinesAvailable(entity({ 'cairn.dev/pipelines': 'true', ...id })),
    ).toBe(true);
    expect(
      isPipelinesAvailable(entity({ 'tekton.dev/cicd': 'True ', ...id })),
    ).toBe(true);
    expect(
      isPipelinesAvailable(entity({ 'cairn.dev/pipelines': 'false', ...id })),
    ).toBe(false);
    expect(isPipelinesAvailable(entity(id))).toBe(false);
  });

  it('needs a way to find the entity objects', () => {
    expect(
      isPipelinesAvailable(entity({ 'cairn.dev/pipelines': 'true' })),
    ).toBe(false);
    expect(
      isPipelinesAvailable(
        entity({
          'cairn.dev/pipelines': 'true',
          'backstage.io/kubernetes-label-selector': 'app=payments',
        }),
      ),
    ).toBe(true);
    expect(isPipelinesAvailable(entity())).toBe(false);
  });
});
