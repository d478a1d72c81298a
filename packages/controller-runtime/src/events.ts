import { CoreV1Api, KubernetesObject } from '@kubernetes/client-node';

/** What a controller reports about an object. */
export interface RecordedEvent {
  eventType: 'Normal' | 'Warning';
  reason: string;
  message: string;
}

export interface EventRecorderOptions {
  core: CoreV1Api;
  /** The kind the Events are about: the controller's primary kind. */
  apiVersion: string;
  kind: string;
  /** The source component, e.g. `stone-controller`; reported as `cairn.dev/<component>`. */
  component: string;
  /** The reporting instance, read at each write: the manager's identity changes once it is elected. */
  instance: () => string;
}

/**
 * Writes Events as client-go's recorder does: one Event per call, named
 * `<object>.<hex time><hex counter>` so two in the same millisecond differ,
 * in the object's namespace (`default` for a cluster-scoped object).
 */
export class EventRecorder {
  private count = 0;

  constructor(private readonly options: EventRecorderOptions) {}

  async record(
    object: Pick<KubernetesObject, 'metadata'>,
    event: RecordedEvent,
  ): Promise<void> {
    const now = new Date();
    const { name, namespace, uid, resourceVersion } = object.metadata ?? {};
    const eventNamespace = namespace ?? 'default';
    await this.options.core.createNamespacedEvent({
      namespace: eventNamespace,
      body: {
        metadata: {
          name: `${name}.${now.getTime().toString(16)}${(this.count++)
            .toString(16)
            .padStart(4, '0')}`,
          namespace: eventNamespace,
        },
        involvedObject: {
          apiVersion: this.options.apiVersion,
          kind: this.options.kind,
          name,
          ...(namespace !== undefined && { namespace }),
          uid,
          resourceVersion,
        },
        type: event.eventType,
        reason: event.reason,
        message: event.message,
        source: { component: this.options.component },
        reportingComponent: `cairn.dev/${this.options.component}`,
        reportingInstance: this.options.instance(),
        firstTimestamp: now,
        lastTimestamp: now,
        count: 1,
      },
    });
  }
}
