import { ConfigReader } from '@backstage/config';
import {
  boundObjects,
  podTemplateVolumes,
  WorkspaceAllowList,
} from './workspaceBindings';

describe('boundObjects', () => {
  it('names the Secrets, ConfigMaps and claims bindings mount, projected sources too', () => {
    expect(
      boundObjects([
        { name: 'a', secret: { secretName: 'token' } },
        { name: 'b', configMap: { name: 'settings' } },
        { name: 'c', persistentVolumeClaim: { claimName: 'cache' } },
        {
          name: 'd',
          projected: {
            sources: [
              { secret: { name: 'ca' } },
              { configMap: { name: 'hosts' } },
              { serviceAccountToken: { path: 'token' } },
            ],
          },
        },
        { name: 'e', emptyDir: {} },
        { name: 'f', volumeClaimTemplate: { spec: {} } },
        { name: 'g', csi: { driver: 'secrets-store.csi.k8s.io' } },
      ]),
    ).toEqual({
      objects: [
        { mountedBy: 'workspace "a"', kind: 'secret', name: 'token' },
        { mountedBy: 'workspace "b"', kind: 'configMap', name: 'settings' },
        {
          mountedBy: 'workspace "c"',
          kind: 'persistentVolumeClaim',
          name: 'cache',
        },
        { mountedBy: 'workspace "d"', kind: 'secret', name: 'ca' },
        { mountedBy: 'workspace "d"', kind: 'configMap', name: 'hosts' },
      ],
      // What a CSI driver mounts cannot be told from the binding.
      unchecked: ['workspace "g" mounts a csi volume'],
    });
  });
});

describe('podTemplateVolumes', () => {
  it("collects the volumes of the run's pod templates, which a rerun copies", () => {
    const volumes = podTemplateVolumes({
      taskRunTemplate: {
        podTemplate: { volumes: [{ name: 'a', secret: { secretName: 'x' } }] },
      },
      taskRunSpecs: [
        {
          pipelineTaskName: 'build',
          podTemplate: { volumes: [{ name: 'b', hostPath: { path: '/' } }] },
        },
        { pipelineTaskName: 'test' },
      ],
    });
    expect(boundObjects(volumes, 'pod template volume')).toEqual({
      objects: [
        { mountedBy: 'pod template volume "a"', kind: 'secret', name: 'x' },
      ],
      unchecked: ['pod template volume "b" mounts a hostPath volume'],
    });
  });
});

describe('WorkspaceAllowList', () => {
  const list = (workspaces?: unknown) =>
    WorkspaceAllowList.fromConfig(
      new ConfigReader(
        workspaces === undefined ? {} : { pipelines: { workspaces } },
      ),
    );

  it('allows nothing by default', () => {
    expect(list().allows('secret', 'ci', 'token')).toBe(false);
  });

  it('allows listed names of each kind, in every namespace or in one', () => {
    const allowed = list({
      secrets: ['shared-ca', { name: 'registry', namespace: 'ci' }],
      persistentVolumeClaims: ['cache'],
    });
    expect(allowed.allows('secret', 'other', 'shared-ca')).toBe(true);
    expect(allowed.allows('secret', 'ci', 'registry')).toBe(true);
    expect(allowed.allows('secret', 'other', 'registry')).toBe(false);
    // A name is allowed for its kind only.
    expect(allowed.allows('configMap', 'ci', 'shared-ca')).toBe(false);
    expect(allowed.allows('persistentVolumeClaim', 'ci', 'cache')).toBe(true);
  });

  it('says which entry or key is wrong', () => {
    expect(() => list({ secrets: [{ namespace: 'ci' }] })).toThrow(
      'pipelines.workspaces.secrets[0] must be a Secret name or { name, namespace }',
    );
    expect(() => list({ secret: ['x'] })).toThrow(
      'pipelines.workspaces may list secrets, configMaps, persistentVolumeClaims; not secret',
    );
  });
});
