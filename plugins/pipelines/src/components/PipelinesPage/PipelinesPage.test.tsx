import {
  mockApis,
  renderInTestApp,
  TestApiProvider,
} from '@backstage/test-utils';
import { catalogApiRef } from '@backstage/plugin-catalog-react';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import { screen } from '@testing-library/react';
import { FakePipelinesApi, makeRunDetails } from '../../__testUtils__/fakeApi';
import { pipelinesApiRef } from '../../api';
import { PipelinesPage } from './PipelinesPage';

const entities = [
  {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name: 'shop',
      namespace: 'default',
      annotations: {
        'cairn.dev/pipelines': 'true',
        'backstage.io/kubernetes-id': 'shop',
      },
    },
    spec: { owner: 'team-a' },
  },
  {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name: 'legacy', namespace: 'default' },
    spec: { owner: 'team-b' },
  },
];

const catalogApi = {
  getEntities: jest.fn(async () => ({ items: entities })),
} as any;

describe('PipelinesPage', () => {
  it('lists the entities that use Pipelines', async () => {
    await renderInTestApp(
      <TestApiProvider
        apis={[
          [catalogApiRef, catalogApi],
          [pipelinesApiRef, new FakePipelinesApi()],
          [permissionApiRef, mockApis.permission()],
        ]}
      >
        <PipelinesPage />
      </TestApiProvider>,
    );
    expect(
      await screen.findByText('component:default/shop'),
    ).toBeInTheDocument();
    expect(screen.queryByText('component:default/legacy')).toBeNull();
    expect(catalogApi.getEntities).toHaveBeenCalledWith({
      filter: [
        { 'metadata.annotations.cairn.dev/pipelines': 'true' },
        { 'metadata.annotations.tekton.dev/cicd': 'true' },
      ],
    });
  });

  it("shows an entity's runs", async () => {
    const api = new FakePipelinesApi();
    api.pages = [
      { items: [makeRunDetails().summary], totalCount: 1, clusterErrors: [] },
    ];
    await renderInTestApp(
      <TestApiProvider
        apis={[
          [catalogApiRef, catalogApi],
          [pipelinesApiRef, api],
          [permissionApiRef, mockApis.permission()],
        ]}
      >
        <PipelinesPage />
      </TestApiProvider>,
      { routeEntries: ['/component/default/shop'] },
    );
    expect(await screen.findByText('build-x1')).toBeInTheDocument();
    expect(api.listCalls[0].entityRef).toBe('component:default/shop');
  });
});
