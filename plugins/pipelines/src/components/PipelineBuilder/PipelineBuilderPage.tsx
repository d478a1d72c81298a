import { useEffect, useState } from 'react';
import { Progress, ResponseErrorPanel } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { catalogApiRef } from '@backstage/plugin-catalog-react';
import { parseEntityRef } from '@backstage/catalog-model';
import { Typography } from '@material-ui/core';
import {
  newPipelineYaml,
  pipelineToYaml,
} from '@cairn/plugin-pipelines-common';
import { KUBERNETES_ID_ANNOTATION } from '@cairn/plugin-kubernetes-common';
import { useLocation, useNavigate, useParams } from 'react-router-dom';
import useAsync from 'react-use/esm/useAsync';
import { pipelinesApiRef, RunRef } from '../../api';
import { PipelineChooser } from '../actions/StartRunButton';
import { usePipelinesEntityRef, useRunPaths } from '../EntityRefContext';
import { BuilderSubject, PipelineBuilder } from './PipelineBuilder';

/** Navigation state asking the edit page to open the start form (after "Save and run" of a new pipeline). */
interface StartRunState {
  startRun?: boolean;
}

/** A new pipeline of the entity, labelled so its runs show on the entity's CI/CD tab. */
export function NewPipelinePage() {
  const api = useApi(pipelinesApiRef);
  const catalogApi = useApi(catalogApiRef);
  const entityRef = usePipelinesEntityRef();
  const paths = useRunPaths();
  const navigate = useNavigate();
  const { value, loading, error } =
    useAsync(async (): Promise<BuilderSubject> => {
      const [targets, entity] = await Promise.all([
        api.getTargets(entityRef),
        catalogApi.getEntityByRef(entityRef),
      ]);
      const id = entity?.metadata.annotations?.[KUBERNETES_ID_ANNOTATION];
      const name = `${parseEntityRef(entityRef).name}-pipeline`
        .toLowerCase()
        .replace(/[^a-z0-9-]+/g, '-');
      return {
        kind: 'new',
        text: newPipelineYaml(
          name,
          id ? { labels: { [KUBERNETES_ID_ANNOTATION]: id } } : undefined,
        ),
        clusters: targets.clusters,
        location: {
          cluster: targets.clusters[0] ?? '',
          namespace: targets.namespace ?? '',
        },
      };
    }, [api, catalogApi, entityRef]);
  if (error) return <ResponseErrorPanel error={error} />;
  if (loading || !value) return <Progress />;
  if (value.kind === 'new' && value.clusters.length === 0) {
    return (
      <Typography>
        No cluster is configured for {entityRef}'s pipelines: set its
        backstage.io/kubernetes-cluster annotation or configure a cluster.
      </Typography>
    );
  }
  return (
    <>
      <Typography variant="h5" gutterBottom>
        New pipeline
      </Typography>
      <PipelineBuilder
        entityRef={entityRef}
        subject={value}
        onSaved={(ref, run) =>
          navigate(paths.pipeline(ref), {
            replace: true,
            state: { startRun: run } satisfies StartRunState,
          })
        }
      />
    </>
  );
}

/** Edits a pipeline of the entity, loaded from its cluster. */
export function EditPipelinePage() {
  const api = useApi(pipelinesApiRef);
  const entityRef = usePipelinesEntityRef();
  const { cluster = '', namespace = '', name = '' } = useParams();
  const location = useLocation();
  const navigate = useNavigate();
  const [starting, setStarting] = useState<RunRef | undefined>(
    (location.state as StartRunState | null)?.startRun
      ? { cluster, namespace, name }
      : undefined,
  );
  // Opened once: a reload of the page does not start another run.
  useEffect(() => {
    if ((location.state as StartRunState | null)?.startRun) {
      navigate(`${location.pathname}${location.search}`, {
        replace: true,
        state: null,
      });
    }
  }, [location, navigate]);
  const { value, loading, error } =
    useAsync(async (): Promise<BuilderSubject> => {
      const definition = await api.getPipeline(entityRef, {
        cluster,
        namespace,
        name,
      });
      return {
        kind: 'existing',
        ref: { cluster, namespace, name },
        resourceVersion: definition.resourceVersion,
        text: pipelineToYaml(definition.pipeline),
      };
    }, [api, entityRef, cluster, namespace, name]);
  if (error) return <ResponseErrorPanel error={error} />;
  if (loading || !value) return <Progress />;
  return (
    <>
      <Typography variant="h5" gutterBottom>
        Pipeline {name}{' '}
        <Typography component="span" color="textSecondary">
          {namespace} ({cluster})
        </Typography>
      </Typography>
      <PipelineBuilder
        key={`${cluster}/${namespace}/${name}`}
        entityRef={entityRef}
        subject={value}
        onSaved={(ref, run) => run && setStarting(ref)}
      />
      {starting && (
        <PipelineChooser
          pipeline={starting}
          onClose={() => setStarting(undefined)}
        />
      )}
    </>
  );
}
