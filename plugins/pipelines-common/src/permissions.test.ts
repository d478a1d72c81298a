import {
  pipelinesPermissions,
  pipelinesPipelineUpdatePermission,
  pipelinesRunCancelPermission,
  pipelinesRunCreatePermission,
  pipelinesRunDeletePermission,
  pipelinesRunReadPermission,
  pipelinesRunRerunPermission,
} from './permissions';

describe('pipelines permissions', () => {
  it('are catalog-entity resource permissions with fitting actions', () => {
    expect(
      pipelinesPermissions.map(p => [
        p.name,
        p.attributes.action,
        p.resourceType,
      ]),
    ).toEqual([
      ['pipelines.run.read', 'read', 'catalog-entity'],
      ['pipelines.run.create', 'create', 'catalog-entity'],
      ['pipelines.run.rerun', 'create', 'catalog-entity'],
      ['pipelines.run.cancel', 'update', 'catalog-entity'],
      ['pipelines.run.delete', 'delete', 'catalog-entity'],
      ['pipelines.pipeline.update', 'update', 'catalog-entity'],
    ]);
  });

  it('lists every exported permission once', () => {
    expect(new Set(pipelinesPermissions)).toEqual(
      new Set([
        pipelinesRunReadPermission,
        pipelinesRunCreatePermission,
        pipelinesRunRerunPermission,
        pipelinesRunCancelPermission,
        pipelinesRunDeletePermission,
        pipelinesPipelineUpdatePermission,
      ]),
    );
    expect(pipelinesPermissions.every(p => p.type === 'resource')).toBe(true);
  });
});
