import type { ObjectStore } from '../store/objectStore';
import type { KubeObject, StoreEvent } from '../store/types';
import { parseCronSchedule } from '../machinery/cron';
import { eventName } from '../machinery/eventName';
import { ControllerQueue, ReconcileResult } from './controllerQueue';
import { deepClone, jsonEqual, timestamp } from './objects';
import type { ResourceRegistry, ResourceType } from './registry';
import type { RequestContext, ResourceService } from './resources';
import { ApiError } from './status';

/*
 * The CronJob controller (kube-controller-manager's cronjob-controller v2):
 * at each time the schedule names, in the CronJob's `timeZone`, it creates a
 * Job `<cronjob>-<minutes since the epoch>` from the job template — unless
 * suspended, too late for `startingDeadlineSeconds` (MissSchedule), or held
 * back by `concurrencyPolicy` (Forbid waits, Replace deletes the running
 * jobs) — tracks the running ones in `status.active`, and keeps only the
 * last `successfulJobsHistoryLimit` / `failedJobsHistoryLimit` finished
 * jobs it owns (those `kubectl create job --from=cronjob/x` made included).
 */

const CONTROLLER: RequestContext = {
  user: {
    username: 'system:serviceaccount:kube-system:cronjob-controller',
    groups: ['system:masters'],
  },
  dryRun: false,
};

const SCHEDULED_TIMESTAMP = 'batch.kubernetes.io/cronjob-scheduled-timestamp';

/** More missed start times than this are not worth counting (the controller's own limit). */
const MAX_MISSED = 100;

/**
 * The schedule's most recent start time in (earliest, now], how many were
 * missed in that span, and the next one after now.
 */
export function scheduledTimes(
  schedule: string,
  timeZone: string | undefined,
  earliest: Date,
  now: Date,
): { mostRecent?: Date; missed: number; next?: Date } {
  const cron = parseCronSchedule(schedule);
  let mostRecent: Date | undefined;
  let missed = 0;
  let t = cron.next(earliest, timeZone);
  while (t && t <= now) {
    mostRecent = t;
    missed++;
    if (missed > MAX_MISSED) {
      // Jump near `now`, as the controller does when far behind.
      t = cron.next(new Date(now.getTime() - 60_000 * 60 * 24), timeZone);
      while (t && t <= now) {
        mostRecent = t;
        t = cron.next(t, timeZone);
      }
      break;
    }
    t = cron.next(t, timeZone);
  }
  return { mostRecent, missed, next: t };
}

const rfc3339 = (date: Date) => date.toISOString().replace(/\.\d{3}Z$/, 'Z');

function finishedCondition(job: any): any {
  return (job.status?.conditions ?? []).find(
    (c: any) =>
      (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True',
  );
}

export class CronJobController {
  private readonly queue = new ControllerQueue(key => this.sync(key));
  private stopWatches: Array<() => void> = [];

  constructor(
    private readonly store: ObjectStore,
    private readonly registry: ResourceRegistry,
    private readonly resources: ResourceService,
  ) {}

  private type(plural: string): ResourceType {
    return this.registry.find(
      plural === 'events' ? '' : 'batch',
      'v1',
      plural,
    )!;
  }

  start(): void {
    const follow = (resource: string, onEvent: (e: StoreEvent) => void) => {
      const handle = this.store.watch(resource, {}, onEvent);
      handle.initial.forEach(onEvent);
      this.stopWatches.push(handle.stop);
    };
    follow('batch/cronjobs', e => this.queue.add(e.key));
    follow('batch/jobs', e => {
      for (const job of [e.object, e.previous]) {
        const owner = job?.metadata.ownerReferences?.find(r => r.controller);
        if (owner?.kind === 'CronJob')
          this.queue.add(`${e.namespace}/${owner.name}`);
      }
    });
    this.queue.start();
  }

  stop(): void {
    for (const stop of this.stopWatches) stop();
    this.queue.stop();
  }

  private event(
    cronJob: KubeObject,
    type: string,
    reason: string,
    message: string,
  ) {
    const now = timestamp();
    this.resources.create(
      this.type('events'),
      cronJob.metadata.namespace!,
      {
        metadata: { name: eventName(cronJob.metadata.name!) },
        involvedObject: {
          kind: 'CronJob',
          namespace: cronJob.metadata.namespace,
          name: cronJob.metadata.name,
          uid: cronJob.metadata.uid,
          apiVersion: 'batch/v1',
          resourceVersion: cronJob.metadata.resourceVersion,
        },
        reason,
        message,
        source: { component: 'cronjob-controller' },
        firstTimestamp: now,
        lastTimestamp: now,
        count: 1,
        type,
        reportingComponent: 'cronjob-controller',
      },
      CONTROLLER,
    );
  }

  private deleteJob(cronJob: any, job: any) {
    this.resources.delete(
      this.type('jobs'),
      job.metadata.namespace,
      job.metadata.name,
      {
        propagationPolicy: 'Background',
        preconditions: { uid: job.metadata.uid },
      },
      CONTROLLER,
    );
    this.event(
      cronJob,
      'Normal',
      'SuccessfulDelete',
      `Deleted job ${job.metadata.name}`,
    );
  }

  private sync(key: string): ReconcileResult {
    const cronJob = this.store.get('batch/cronjobs', key) as any;
    if (!cronJob || cronJob.metadata.deletionTimestamp) return undefined;
    const spec = cronJob.spec ?? {};
    const status: any = deepClone(cronJob.status ?? {});
    const owned = this.store
      .list('batch/jobs', { namespace: cronJob.metadata.namespace })
      .items.filter(
        j =>
          j.metadata.ownerReferences?.find(r => r.controller)?.uid ===
          cronJob.metadata.uid,
      ) as any[];

    // Jobs that finished since the last look leave status.active.
    const previouslyActive = new Set(
      (status.active ?? []).map((r: any) => r.uid),
    );
    for (const job of owned) {
      const finished = finishedCondition(job);
      if (finished && previouslyActive.has(job.metadata.uid)) {
        this.event(
          cronJob,
          'Normal',
          'SawCompletedJob',
          `Saw completed job: ${job.metadata.name}, condition: ${finished.type}`,
        );
      }
      if (finished?.type === 'Complete') {
        const at = job.status?.completionTime ?? finished.lastTransitionTime;
        if (!status.lastSuccessfulTime || at > status.lastSuccessfulTime)
          status.lastSuccessfulTime = at;
      }
    }
    let active = owned.filter(
      j => !finishedCondition(j) && !j.metadata.deletionTimestamp,
    );

    this.cleanupHistory(cronJob, owned);

    let requeueAfterMs: number | undefined;
    if (!spec.suspend) {
      const now = new Date();
      let earliest = new Date(
        status.lastScheduleTime ?? cronJob.metadata.creationTimestamp,
      );
      const deadline = spec.startingDeadlineSeconds;
      if (
        deadline !== undefined &&
        now.getTime() - deadline * 1000 > earliest.getTime()
      )
        earliest = new Date(now.getTime() - deadline * 1000);
      const times = scheduledTimes(spec.schedule, spec.timeZone, earliest, now);
      if (times.next)
        requeueAfterMs = times.next.getTime() - now.getTime() + 100;
      const scheduled = times.mostRecent;
      const tooLate =
        scheduled &&
        deadline !== undefined &&
        scheduled.getTime() + deadline * 1000 < now.getTime();
      if (scheduled && tooLate) {
        this.event(
          cronJob,
          'Warning',
          'MissSchedule',
          `Missed scheduled time to start a job: ${rfc3339(scheduled)}`,
        );
      } else if (scheduled) {
        const name = `${cronJob.metadata.name}-${Math.floor(
          scheduled.getTime() / 60_000,
        )}`;
        const alreadyRunning = active.some(j => j.metadata.name === name);
        if (
          !alreadyRunning &&
          spec.concurrencyPolicy === 'Forbid' &&
          active.length
        ) {
          this.event(
            cronJob,
            'Normal',
            'JobAlreadyActive',
            'Not starting job because prior execution is running and concurrency policy is Forbid',
          );
          // Forbid retries this start time once the running job ends (its
          // update requeues the CronJob), as long as the deadline allows.
          return this.writeStatus(key, status, active, requeueAfterMs);
        }
        if (!alreadyRunning) {
          if (spec.concurrencyPolicy === 'Replace') {
            for (const job of active) this.deleteJob(cronJob, job);
            active = [];
          }
          const created = this.createJob(cronJob, name, scheduled);
          if (created) active.push(created);
        }
        status.lastScheduleTime = rfc3339(scheduled);
      }
    }
    return this.writeStatus(key, status, active, requeueAfterMs);
  }

  private createJob(cronJob: any, name: string, scheduled: Date) {
    const template = deepClone(cronJob.spec.jobTemplate ?? {});
    try {
      const job = this.resources.create(
        this.type('jobs'),
        cronJob.metadata.namespace,
        {
          metadata: {
            ...(template.metadata ?? {}),
            name,
            annotations: {
              ...(template.metadata?.annotations ?? {}),
              [SCHEDULED_TIMESTAMP]: rfc3339(scheduled),
            },
            ownerReferences: [
              {
                apiVersion: 'batch/v1',
                kind: 'CronJob',
                name: cronJob.metadata.name,
                uid: cronJob.metadata.uid,
                controller: true,
                blockOwnerDeletion: true,
              },
            ],
          },
          spec: template.spec,
        },
        CONTROLLER,
      );
      this.event(cronJob, 'Normal', 'SuccessfulCreate', `Created job ${name}`);
      return job;
    } catch (error) {
      // The job of this start time exists already (a start time is run once).
      if (error instanceof ApiError && error.status.code === 409)
        return undefined;
      if (error instanceof ApiError) {
        this.event(
          cronJob,
          'Warning',
          'FailedCreate',
          `Error creating job: ${error.status.message}`,
        );
        return undefined;
      }
      throw error;
    }
  }

  /** Keeps the newest `successfulJobsHistoryLimit` completed and `failedJobsHistoryLimit` failed jobs. */
  private cleanupHistory(cronJob: any, owned: any[]) {
    const spec = cronJob.spec ?? {};
    const startOf = (job: any) =>
      job.status?.startTime ?? job.metadata.creationTimestamp;
    for (const [type, limit] of [
      ['Complete', spec.successfulJobsHistoryLimit],
      ['Failed', spec.failedJobsHistoryLimit],
    ] as const) {
      if (limit === undefined || limit === null) continue;
      const finished = owned
        .filter(
          j =>
            finishedCondition(j)?.type === type &&
            !j.metadata.deletionTimestamp,
        )
        .sort((a, b) => String(startOf(a)).localeCompare(String(startOf(b))));
      for (const job of finished.slice(0, Math.max(0, finished.length - limit)))
        this.deleteJob(cronJob, job);
    }
  }

  private writeStatus(
    key: string,
    status: any,
    active: any[],
    requeueAfterMs: number | undefined,
  ): ReconcileResult {
    const latest = this.store.get('batch/cronjobs', key) as any;
    if (!latest) return undefined;
    const next = { ...status };
    if (active.length) {
      const known = new Map(
        (latest.status?.active ?? []).map((r: any) => [r.uid, r]),
      );
      next.active = active.map(
        j =>
          known.get(j.metadata.uid) ?? {
            kind: 'Job',
            namespace: j.metadata.namespace,
            name: j.metadata.name,
            uid: j.metadata.uid,
            apiVersion: 'batch/v1',
            resourceVersion: j.metadata.resourceVersion,
          },
      );
    } else delete next.active;
    if (!jsonEqual(latest.status ?? {}, next)) {
      this.resources.write(
        this.type('cronjobs'),
        latest.metadata.namespace,
        latest.metadata.name,
        'status',
        latest,
        { ...latest, status: next },
        CONTROLLER,
      );
    }
    return requeueAfterMs === undefined ? undefined : { requeueAfterMs };
  }
}
