import { createContext, ReactNode, useContext, useMemo } from 'react';
import { RunRef } from '../api';

interface PipelinesContext {
  entityRef: string;
  /** Where the runs list is mounted; run detail pages are under it. */
  basePath: string;
}

const Context = createContext<PipelinesContext | undefined>(undefined);

/** Names the catalog entity whose runs the components below show. */
export function EntityRefProvider(props: {
  entityRef: string;
  basePath: string;
  children: ReactNode;
}) {
  return (
    <Context.Provider
      value={{ entityRef: props.entityRef, basePath: props.basePath }}
    >
      {props.children}
    </Context.Provider>
  );
}

function usePipelinesContext(): PipelinesContext {
  const value = useContext(Context);
  if (!value) {
    throw new Error('Pipelines components need an EntityRefProvider');
  }
  return value;
}

/** The entity ref set by {@link EntityRefProvider}. */
export function usePipelinesEntityRef(): string {
  return usePipelinesContext().entityRef;
}

/** Paths of the runs list and of a run's detail page. */
export function useRunPaths() {
  const { basePath } = usePipelinesContext();
  return useMemo(() => {
    const base = basePath.replace(/\/+$/, '');
    return {
      list: base || '/',
      run: ({ cluster, namespace, name }: RunRef) =>
        `${base}/runs/${encodeURIComponent(cluster)}/${encodeURIComponent(
          namespace,
        )}/${encodeURIComponent(name)}`,
    };
  }, [basePath]);
}
