import { Writable } from 'node:stream';
import {
  CoreV1Api,
  CustomObjectsApi,
  Exec,
  KubernetesObject,
  PatchStrategy,
  setHeaderOptions,
  V1Pod,
  V1Status,
} from '@kubernetes/client-node';
import {
  awaitWrite,
  ControllerFactory,
  EventRecorder,
  Informer,
  KindSelector,
  Logger,
  Manager,
  reconcileFailure,
  Refused,
  statusOf,
} from '@cairn/controller-runtime';
import {
  DEBUG_API_VERSION,
  DEBUG_GROUP,
  DEBUG_SESSION_FINALIZER,
  DEBUG_SESSION_KIND,
  DEBUG_SESSION_PLURAL,
  DEBUG_VERSION,
  DebugSession,
  DebugSessionAction,
  DebugSessionConfig,
  debugSessionConfigFromEnv,
  failDebugSession,
  planDebugSession,
} from '@cairn/operators-api';

/*
 * The DebugSession controller: reads a session, its pod and its copy from
 * the manager's informer caches, asks planDebugSession what to write, and
 * writes it. A write that races a stale cache fails on its precondition
 * (resourceVersion, UID, AlreadyExists) and the session is looked at again
 * once the cache has caught up.
 */

export interface DebugSessionControllerOptions {
  /**
   * The toolkit catalog and the TTL cap; otherwise read from the
   * environment when the manager starts (CAIRN_DEBUG_TOOLKITS,
   * CAIRN_DEBUG_MAX_TTL_SECONDS; see debugSessionConfigFromEnv).
   */
  config?: DebugSessionConfig;
}

const SESSIONS: KindSelector = {
  apiVersion: DEBUG_API_VERSION,
  kind: DEBUG_SESSION_KIND,
};
// Every pod: a session may debug any pod of its namespace.
const PODS: KindSelector = { apiVersion: 'v1', kind: 'Pod' };
const BY_POD = 'debug-session-pod';
/** How long ending a container's processes by exec may take. */
const END_PROCESS_TIMEOUT_MS = 30_000;

const SMP = setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch);
const MERGE = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

type Session = DebugSession & KubernetesObject;

class DebugSessionReconciler {
  private readonly core: CoreV1Api;
  private readonly custom: CustomObjectsApi;
  private readonly exec: Exec;
  private readonly logger: Logger;
  private readonly events: EventRecorder;

  constructor(
    private readonly manager: Manager,
    private readonly sessions: Informer<Session>,
    private readonly pods: Informer<V1Pod>,
    private readonly config: DebugSessionConfig,
  ) {
    this.core = manager.kubeConfig.makeApiClient(CoreV1Api);
    this.events = new EventRecorder({
      core: this.core,
      apiVersion: DEBUG_API_VERSION,
      kind: DEBUG_SESSION_KIND,
      component: 'debugsession-controller',
      instance: () => this.manager.identity ?? 'cairn-operators',
    });
    this.custom = manager.kubeConfig.makeApiClient(CustomObjectsApi);
    this.exec = new Exec(manager.kubeConfig);
    this.logger = manager.logger.child({ controller: 'debugsession' });
  }

  async reconcile(key: string) {
    const session = this.sessions.get(key);
    if (!session) return undefined;
    const namespace = session.metadata.namespace!;
    const copyName = session.status?.copyPodName;
    const copy = copyName
      ? this.pods.get(`${namespace}/${copyName}`)
      : undefined;
    const plan = planDebugSession({
      session,
      pod: this.pods.get(
        `${namespace}/${session.status?.podName ?? session.spec.podName}`,
      ),
      // Only a pod the session owns is its copy.
      copy: copy?.metadata?.ownerReferences?.some(
        r => r.uid === session.metadata.uid,
      )
        ? copy
        : undefined,
      now: new Date(),
      config: this.config,
    });
    try {
      for (const action of plan.actions) await this.perform(session, action);
    } catch (error) {
      if (error instanceof Refused) {
        for (const action of failDebugSession(
          session,
          'Refused',
          error.message,
          new Date(),
        ))
          await this.perform(session, action);
        return undefined;
      }
      return reconcileFailure(error, {
        key,
        logger: this.logger,
        warn: message =>
          this.emit(session, {
            type: 'event',
            eventType: 'Warning',
            reason: 'ReconcileError',
            message,
          }),
      });
    }
    return plan.requeueAfterSeconds
      ? { requeueAfterMs: plan.requeueAfterSeconds * 1000 }
      : undefined;
  }

  private async perform(
    session: Session,
    action: DebugSessionAction,
  ): Promise<void> {
    const namespace = session.metadata.namespace!;
    const name = session.metadata.name!;
    const tolerate = (
      call: Promise<unknown>,
      stale: number[],
      refused: number[] = [],
    ) => awaitWrite(call, { what: action.type, stale, refused });
    // Forbidden (admission, quota), Invalid and BadRequest do not pass on a retry.
    const REFUSED = [400, 403, 422];
    const patchSession = (body: object, subresource: boolean) => {
      const request = {
        group: DEBUG_GROUP,
        version: DEBUG_VERSION,
        plural: DEBUG_SESSION_PLURAL,
        namespace,
        name,
        body,
      };
      return tolerate(
        subresource
          ? this.custom.patchNamespacedCustomObjectStatus(request, MERGE)
          : this.custom.patchNamespacedCustomObject(request, MERGE),
        [404, 409],
      );
    };
    const finalizers = session.metadata.finalizers ?? [];
    switch (action.type) {
      case 'addFinalizer':
        return patchSession(
          {
            metadata: {
              resourceVersion: session.metadata.resourceVersion,
              finalizers: [...finalizers, DEBUG_SESSION_FINALIZER],
            },
          },
          false,
        );
      case 'removeFinalizer':
        return patchSession(
          {
            metadata: {
              resourceVersion: session.metadata.resourceVersion,
              finalizers: finalizers.filter(f => f !== DEBUG_SESSION_FINALIZER),
            },
          },
          false,
        );
      case 'updateStatus':
        return patchSession(
          {
            metadata: { resourceVersion: session.metadata.resourceVersion },
            status: action.status,
          },
          true,
        );
      case 'addEphemeralContainer':
        this.logger.info('adding ephemeral container', {
          session: `${namespace}/${name}`,
          pod: action.podName,
          container: action.container.name,
        });
        // A strategic merge patch adds to the list by name, as kubectl debug's does.
        return tolerate(
          this.core.patchNamespacedPodEphemeralcontainers(
            {
              namespace,
              name: action.podName,
              body: { spec: { ephemeralContainers: [action.container] } },
            },
            SMP,
          ),
          [404, 409],
          REFUSED,
        );
      case 'createPod':
        this.logger.info('creating copy', {
          session: `${namespace}/${name}`,
          pod: action.pod.metadata!.name,
        });
        return tolerate(
          this.core.createNamespacedPod({ namespace, body: action.pod }),
          [409],
          REFUSED,
        );
      case 'deletePod':
        try {
          await this.core.deleteNamespacedPod({
            namespace,
            name: action.name,
            body: { preconditions: { uid: action.uid } },
          });
        } catch (error) {
          // Gone already, or another pod of that name: not the session's.
          if (![404, 409].includes(statusOf(error) ?? 0)) throw error;
        }
        return undefined;
      case 'endProcess':
        return this.endProcess(session, action);
      case 'event':
        return this.emit(session, action);
      default:
        throw new Error(
          `unknown action ${(action as DebugSessionAction).type}`,
        );
    }
  }

  /**
   * Ends the debug container's processes by exec. A failure (no shell in
   * the image, the container gone) is told in a Warning event and not
   * retried: the session ends regardless, and nobody is let attach to it.
   */
  private async endProcess(
    session: Session,
    action: Extract<DebugSessionAction, { type: 'endProcess' }>,
  ): Promise<void> {
    const stderr: Buffer[] = [];
    const sink = new Writable({
      write(chunk, _encoding, done) {
        stderr.push(Buffer.from(chunk));
        done();
      },
    });
    let failure: string | undefined;
    try {
      const status = await new Promise<V1Status>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error('no answer within 30 s')),
          END_PROCESS_TIMEOUT_MS,
        );
        this.exec
          .exec(
            session.metadata.namespace!,
            action.podName,
            action.containerName,
            action.command,
            null,
            sink,
            null,
            false,
            result => {
              clearTimeout(timer);
              resolve(result);
            },
          )
          .catch(error => {
            clearTimeout(timer);
            reject(error);
          });
      });
      const exitCode = Number(
        status.details?.causes?.find(c => c.reason === 'ExitCode')?.message,
      );
      // Ending the container's main process ends the container, and the
      // runtime kills what runs in it, this exec too: death by a signal
      // (128 + n) is the end it was after.
      if (status.status !== 'Success' && !(exitCode >= 128))
        failure = status.message ?? Buffer.concat(stderr).toString();
    } catch (error) {
      failure = String((error as Error)?.message ?? error);
    }
    if (failure === undefined) {
      this.logger.info('ended debug container', {
        session: `${session.metadata.namespace}/${session.metadata.name}`,
        container: action.containerName,
      });
      return;
    }
    await this.emit(session, {
      type: 'event',
      eventType: 'Warning',
      reason: 'ProcessNotEnded',
      message:
        `could not end debug container ${action.containerName} (it runs until pod ${action.podName} goes): ${failure}`.slice(
          0,
          1024,
        ),
    });
  }

  /** An Event on the session, as client-go's recorder writes one. */
  private async emit(
    session: Session,
    event: Extract<DebugSessionAction, { type: 'event' }>,
  ): Promise<void> {
    const { name, namespace } = session.metadata;
    this.logger.info(event.message, {
      session: `${namespace}/${name}`,
      reason: event.reason,
    });
    await this.events.record(session, event);
  }
}

/** The DebugSession controller, for the operators' manager. */
export function debugSessionController(
  options: DebugSessionControllerOptions = {},
): ControllerFactory {
  return async (manager: Manager) => {
    const sessions = await manager.informer<Session>(SESSIONS);
    const pods = await manager.informer<V1Pod>(PODS);
    sessions.addIndexer(BY_POD, session =>
      [
        ...new Set([
          session.status?.podName ?? session.spec.podName,
          session.spec.podName,
        ]),
      ].map(pod => `${session.metadata.namespace}/${pod}`),
    );
    const reconciler = new DebugSessionReconciler(
      manager,
      sessions,
      pods,
      options.config ?? debugSessionConfigFromEnv(process.env),
    );
    return {
      name: 'debugsession',
      for: SESSIONS,
      // Copies are owned by their session.
      owns: [PODS],
      // A debugged pod's changes (its ephemeral container starting, ending,
      // the pod going) queue the sessions on it.
      watches: [
        {
          kind: PODS,
          map: pod =>
            sessions
              .byIndex(
                BY_POD,
                `${pod.metadata!.namespace}/${pod.metadata!.name}`,
              )
              .map(s => `${s.metadata.namespace}/${s.metadata.name}`),
        },
      ],
      concurrency: 3,
      reconcile: key => reconciler.reconcile(key),
    };
  };
}
