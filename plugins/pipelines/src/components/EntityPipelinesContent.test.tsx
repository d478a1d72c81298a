import {
  mockApis,
  renderInTestApp,
  TestApiProvider,
} from '@backstage/test-utils';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import { screen } from '@testing-library/react';
import { FakePipelinesApi, makeRunDetails } from '../__testUtils__/fakeApi';
import { pipelinesApiRef } from '../api';
import { EntityPipelinesContent } from './EntityPipelinesContent';

function entity(annotations: Record<string, string>) {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name: 'shop', namespace: 'default', annotations },
    spec: { owner: 'team-a' },
  };
}

async function render(
  api: FakePipelinesApi,
  annotations: Record<string, string>,
) {
  return renderInTestApp(
    <TestApiProvider
      apis={[
        [pipelinesApiRef, api],
        [permissionApiRef, mockApis.permission()],
      ]}
    >
      <EntityProvider entity={entity(annotations)}>
        <EntityPipelinesContent />
      </EntityProvider>
    </TestApiProvider>,
  );
}

describe('EntityPipelinesContent', () => {
  it("lists the entity's runs", async () => {
    const api = new FakePipelinesApi();
    api.pages = [
      { items: [makeRunDetails().summary], totalCount: 1, clusterErrors: [] },
    ];
    await render(api, {
      'cairn.dev/pipelines': 'true',
      'backstage.io/kubernetes-id': 'shop',
    });
    expect(await screen.findByText('build-x1')).toBeInTheDocument();
    expect(api.listCalls[0].entityRef).toBe('component:default/shop');
  });

  it('says how to opt in when the entity has not', async () => {
    const api = new FakePipelinesApi();
    await render(api, { 'backstage.io/kubernetes-id': 'shop' });
    expect(
      await screen.findByText('Pipelines are not enabled for this entity'),
    ).toBeInTheDocument();
    expect(api.listCalls).toHaveLength(0);
  });
});
