import { ReactNode } from 'react';
import {
  Content,
  ContentHeader,
  EmptyState,
  Header,
  Link,
  Page,
  Progress,
  ResponseErrorPanel,
  Table,
  TableColumn,
} from '@backstage/core-components';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { useApi } from '@backstage/core-plugin-api';
import { catalogApiRef } from '@backstage/plugin-catalog-react';
import {
  getEntityLabelSelector,
  isPipelinesAvailable,
  PIPELINES_ANNOTATION,
  TEKTON_CICD_ANNOTATION,
} from '@cairn/plugin-pipelines-common';
import { FormControl, InputLabel, MenuItem, Select } from '@material-ui/core';
import {
  Route,
  Routes,
  useNavigate,
  useParams,
  useResolvedPath,
} from 'react-router-dom';
import useAsync from 'react-use/esm/useAsync';
import { PipelinesRouter } from '../PipelinesRouter';

function entityPath(entity: Entity) {
  return `${entity.kind.toLowerCase()}/${encodeURIComponent(
    entity.metadata.namespace ?? 'default',
  )}/${encodeURIComponent(entity.metadata.name)}`;
}

type EntityRow = { id: string; entity: Entity; path: string };

const columns: TableColumn<EntityRow>[] = [
  {
    title: 'Entity',
    render: row => <Link to={row.path}>{stringifyEntityRef(row.entity)}</Link>,
  },
  { title: 'Owner', render: row => String(row.entity.spec?.owner ?? '') },
  {
    title: 'Runs are those labelled',
    render: row => getEntityLabelSelector(row.entity) ?? '',
  },
];

function EntityRuns(props: { entities: Entity[]; basePath: string }) {
  const { kind = '', namespace = '', name = '' } = useParams();
  const navigate = useNavigate();
  const entityRef = `${kind}:${namespace}/${name}`;
  const entity = props.entities.find(e => stringifyEntityRef(e) === entityRef);
  return (
    <>
      <ContentHeader title="">
        <FormControl style={{ minWidth: 320 }} data-testid="entity-select">
          <InputLabel id="pipelines-entity">Entity</InputLabel>
          <Select
            labelId="pipelines-entity"
            value={entity ? entityRef : ''}
            onChange={e => {
              const next = props.entities.find(
                x => stringifyEntityRef(x) === e.target.value,
              );
              if (next) navigate(`${props.basePath}/${entityPath(next)}`);
            }}
          >
            {props.entities.map(e => (
              <MenuItem
                key={stringifyEntityRef(e)}
                value={stringifyEntityRef(e)}
              >
                {stringifyEntityRef(e)}
              </MenuItem>
            ))}
          </Select>
        </FormControl>
      </ContentHeader>
      <PipelinesRouter
        key={entityRef}
        entityRef={entityRef}
        selectorHint={entity ? getEntityLabelSelector(entity) : undefined}
        title={`Pipeline runs of ${entityRef}`}
      />
    </>
  );
}

/**
 * Runs across every namespace and cluster, entity by entity: the entities
 * that opted in to Pipelines, and the runs of the one chosen.
 */
export function PipelinesPage() {
  const catalogApi = useApi(catalogApiRef);
  const basePath = useResolvedPath('.').pathname.replace(/\/+$/, '');
  const { value, loading, error } = useAsync(async () => {
    const response = await catalogApi.getEntities({
      filter: [
        { [`metadata.annotations.${PIPELINES_ANNOTATION}`]: 'true' },
        { [`metadata.annotations.${TEKTON_CICD_ANNOTATION}`]: 'true' },
      ],
    });
    return response.items
      .filter(isPipelinesAvailable)
      .sort((a, b) =>
        stringifyEntityRef(a).localeCompare(stringifyEntityRef(b)),
      );
  }, [catalogApi]);

  let body: ReactNode;
  if (error) body = <ResponseErrorPanel error={error} />;
  else if (loading || !value) body = <Progress />;
  else if (value.length === 0) {
    body = (
      <EmptyState
        missing="data"
        title="No entity uses Pipelines yet"
        description={`Annotate a catalog entity with ${PIPELINES_ANNOTATION}: "true" and backstage.io/kubernetes-id, and label its Tekton Pipelines with backstage.io/kubernetes-id=<id>.`}
      />
    );
  } else {
    body = (
      <Routes>
        <Route
          path="/"
          element={
            <Table<EntityRow>
              title="Entities with pipelines"
              columns={columns}
              data={value.map(entity => ({
                id: stringifyEntityRef(entity),
                entity,
                path: `${basePath}/${entityPath(entity)}`,
              }))}
              options={{ paging: value.length > 20, pageSize: 20 }}
            />
          }
        />
        <Route
          path="/:kind/:namespace/:name/*"
          element={<EntityRuns entities={value} basePath={basePath} />}
        />
      </Routes>
    );
  }
  return (
    <Page themeId="tool">
      <Header
        title="Pipelines"
        subtitle="Tekton pipeline runs across namespaces and clusters"
      />
      <Content>{body}</Content>
    </Page>
  );
}
