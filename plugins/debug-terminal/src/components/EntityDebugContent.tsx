import { useCallback, useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { EmptyState, WarningPanel } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { useEntity } from '@backstage/plugin-catalog-react';
import { usePermission } from '@backstage/plugin-permission-react';
import { Grid } from '@material-ui/core';
import { useRefreshWhileStale } from '@cairn/plugin-kubernetes-react';
import {
  CreateSessionRequest,
  debugSessionReplayPermission,
  DebugPodSummary,
} from '@cairn/plugin-debug-terminal-common';
import { debugTerminalApiRef } from '../api';
import { isDebugTerminalAvailable } from '../isDebugTerminalAvailable';
import { PodsList } from './PodsList';
import { RecordingsList } from './RecordingsList';
import { SessionsList } from './SessionsList';
import { StartSessionDialog } from './StartSessionDialog';
import { TerminalDialog, TerminalRequest } from './TerminalDialog';

/*
 * The entity's Debug tab. Backstage's Kubernetes tab offers no way for
 * another plugin to add actions to its pods or containers (its
 * EntityKubernetesContent and ContainerCard take no extensions), so Debug
 * and Shell live here, on the entity's pods per cluster as the debug
 * terminal backend lists them.
 */

/** The Debug tab: the entity's pods with Debug and Shell, its sessions, and (for ops) its recordings. */
export function EntityDebugContent() {
  const { entity } = useEntity();
  const entityRef = stringifyEntityRef(entity);
  const api = useApi(debugTerminalApiRef);
  const pods = useAsyncRetry(() => api.listPods(entityRef), [api, entityRef]);
  useRefreshWhileStale(pods.value?.clusterErrors, pods.retry);
  const toolkits = useAsync(() => api.toolkits(), [api]);
  const { allowed: mayReplay } = usePermission({
    permission: debugSessionReplayPermission,
  });
  const [starting, setStarting] = useState<{
    pod: DebugPodSummary;
    container: string;
  }>();
  const [terminal, setTerminal] = useState<{
    request: TerminalRequest;
    title: string;
  }>();
  const [reloadKey, setReloadKey] = useState(0);

  const start = useCallback(
    async (request: CreateSessionRequest) => {
      const session = await api.createSession(request);
      setStarting(undefined);
      setReloadKey(k => k + 1);
      setTerminal({
        request: {
          kind: 'attach',
          session: {
            cluster: session.cluster,
            namespace: session.namespace,
            name: session.name,
            entityRef,
          },
        },
        title: `${request.pod} / ${request.container} (${
          request.toolkit ?? request.image
        })`,
      });
    },
    [api, entityRef],
  );

  if (!isDebugTerminalAvailable(entity)) {
    return (
      <EmptyState
        missing="field"
        title="The debug terminal is not enabled for this entity"
        description="Add the annotation backstage.io/kubernetes-id (or backstage.io/kubernetes-label-selector) to its catalog-info.yaml, and put the matching label on its pods."
      />
    );
  }

  return (
    <Grid container spacing={3}>
      {toolkits.error && (
        <Grid item xs={12}>
          <WarningPanel
            severity="error"
            title="The toolkit catalog could not be read: Debug is unavailable"
            message={toolkits.error.message}
          />
        </Grid>
      )}
      <Grid item xs={12}>
        <PodsList
          pods={pods}
          onRefresh={pods.retry}
          onDebug={(pod, container) => setStarting({ pod, container })}
          onShell={(pod, container) =>
            setTerminal({
              request: {
                kind: 'shell',
                container: {
                  entityRef,
                  cluster: pod.cluster,
                  namespace: pod.namespace,
                  pod: pod.name,
                  container,
                },
              },
              title: `${pod.name} / ${container}`,
            })
          }
        />
      </Grid>
      <Grid item xs={12}>
        <SessionsList
          entityRef={entityRef}
          reloadKey={reloadKey}
          onAttach={(session, title) =>
            setTerminal({ request: { kind: 'attach', session }, title })
          }
        />
      </Grid>
      {mayReplay && (
        <Grid item xs={12}>
          <RecordingsList entityRef={entityRef} />
        </Grid>
      )}
      {starting && toolkits.value && (
        <StartSessionDialog
          open
          entityRef={entityRef}
          pod={starting.pod}
          container={starting.container}
          toolkits={toolkits.value}
          onStart={start}
          onClose={() => setStarting(undefined)}
        />
      )}
      {terminal && (
        <TerminalDialog
          request={terminal.request}
          title={terminal.title}
          onClose={() => {
            setTerminal(undefined);
            setReloadKey(k => k + 1);
            pods.retry();
          }}
        />
      )}
    </Grid>
  );
}
