import { createContext, ReactNode, useContext, useMemo } from 'react';
import { useSearchParams } from 'react-router-dom';
import { WarningPanel } from '@backstage/core-components';
import { RunRef } from '../api';

/** The query parameter naming a run's entity on the Pipelines page. */
export const ENTITY_REF_PARAM = 'entityRef';

interface PipelinesContext {
  /**
   * The entity the components below act on: the CI/CD tab's entity, or on
   * the Pipelines page the entity of the run (or pipeline) being shown;
   * absent in the Pipelines page's list of every entity's runs.
   */
  entityRef?: string;
  /**
   * True on the entity tab, where the mount point implies the entity; on the
   * Pipelines page paths name it with `?entityRef=`.
   */
  entityScoped: boolean;
  /** Where the runs list is mounted; run detail pages are under it. */
  basePath: string;
}

const Context = createContext<PipelinesContext | undefined>(undefined);

function usePipelinesContext(): PipelinesContext {
  const value = useContext(Context);
  if (!value) {
    throw new Error('Pipelines components need an EntityRefProvider');
  }
  return value;
}

/**
 * Names the catalog entity whose runs the components below show: one entity
 * on its CI/CD tab, or none on the Pipelines page (runs of every entity the
 * user may read).
 */
export function EntityRefProvider(props: {
  entityRef?: string;
  basePath: string;
  children: ReactNode;
}) {
  const { entityRef, basePath } = props;
  const value = useMemo(
    () => ({ entityRef, basePath, entityScoped: entityRef !== undefined }),
    [entityRef, basePath],
  );
  return <Context.Provider value={value}>{props.children}</Context.Provider>;
}

/**
 * Sets the entity for one run's (or pipeline's) pages: the provider's entity
 * on the CI/CD tab, else the one the page URL names with `?entityRef=`.
 * Without either, shows a warning saying so.
 */
export function RouteEntityRefProvider(props: { children: ReactNode }) {
  const parent = usePipelinesContext();
  const [searchParams] = useSearchParams();
  const entityRef =
    parent.entityRef ?? searchParams.get(ENTITY_REF_PARAM) ?? undefined;
  const value = useMemo(() => ({ ...parent, entityRef }), [parent, entityRef]);
  if (!entityRef) {
    return (
      <WarningPanel title="This address does not name an entity">
        Pages of the Pipelines page name the catalog entity they belong to, e.g.{' '}
        <code>?{ENTITY_REF_PARAM}=component:default/shop</code>. Open the run
        from the runs list, or add the parameter.
      </WarningPanel>
    );
  }
  return <Context.Provider value={value}>{props.children}</Context.Provider>;
}

/** The entity the components act on; undefined in the list of every entity's runs. */
export function useOptionalPipelinesEntityRef(): string | undefined {
  return usePipelinesContext().entityRef;
}

/**
 * The entity the components act on, for those that always act on one (a
 * run's detail, its actions and logs).
 */
export function usePipelinesEntityRef(): string {
  const { entityRef } = usePipelinesContext();
  if (!entityRef) {
    throw new Error(
      'this Pipelines component acts on one entity; render it below RouteEntityRefProvider or an EntityRefProvider with an entityRef',
    );
  }
  return entityRef;
}

/**
 * Paths of the runs list, a run's detail page and the pipeline builder. On
 * the Pipelines page a run's (or pipeline's) path names its entity
 * (`?entityRef=`), the one given or else the one the components act on.
 */
export function useRunPaths() {
  const { basePath, entityScoped, entityRef } = usePipelinesContext();
  return useMemo(() => {
    const base = basePath.replace(/\/+$/, '');
    const entityQuery = (ref?: string) => {
      const entity = ref ?? entityRef;
      return !entityScoped && entity
        ? `?${ENTITY_REF_PARAM}=${encodeURIComponent(entity)}`
        : '';
    };
    return {
      list: base || '/',
      run: (
        { cluster, namespace, name }: RunRef,
        runEntityRef?: string,
      ): string =>
        `${base}/runs/${encodeURIComponent(cluster)}/${encodeURIComponent(
          namespace,
        )}/${encodeURIComponent(name)}${entityQuery(runEntityRef)}`,
      /** The builder of a new pipeline of the entity. */
      newPipeline: (pipelineEntityRef?: string): string =>
        `${base}/builder/new${entityQuery(pipelineEntityRef)}`,
      /** The builder of an existing pipeline. */
      pipeline: (
        { cluster, namespace, name }: RunRef,
        pipelineEntityRef?: string,
      ): string =>
        `${base}/builder/${encodeURIComponent(cluster)}/${encodeURIComponent(
          namespace,
        )}/${encodeURIComponent(name)}${entityQuery(pipelineEntityRef)}`,
    };
  }, [basePath, entityScoped, entityRef]);
}
