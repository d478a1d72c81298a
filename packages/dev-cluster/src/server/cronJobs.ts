import type { ObjectStore } from '../store/objectStore';
import { parseCronSchedule } from '../machinery/cron';
import { ControllerQueue, ReconcileResult } from './controllerQueue';
import {
  controllerContext,
  controllerReference,
  OwnerController,
} from './ownerControllers';
import { deepClone } from './objects';
import type { ResourceRegistry } from './registry';
import type { ResourceService } from './resources';
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

const CONTROLLER = controllerContext('cronjob-controller');

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

export class CronJobController extends OwnerController {
  protected readonly queue = new ControllerQueue(key => this.sync(key));

  constructor(
    store: ObjectStore,
    registry: ResourceRegistry,
    resources: ResourceService,
  ) {
    super(store, registry, resources, {
      context: CONTROLLER,
      component: 'cronjob-controller',
      owner: { kind: 'CronJob', apiVersion: 'batch/v1' },
    });
  }

  start(): void {
    this.follow('batch/cronjobs', e => this.queue.add(e.key));
    this.follow('batch/jobs', e => this.queueController(e, 'CronJob'));
    this.queue.start();
  }

  private deleteJob(cronJob: any, job: any) {
    this.resources.delete(
      this.type('batch', 'jobs'),
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
    const owned = this.owned('batch/jobs', cronJob);

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
          return this.updateStatus(key, status, active, requeueAfterMs);
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
    return this.updateStatus(key, status, active, requeueAfterMs);
  }

  private createJob(cronJob: any, name: string, scheduled: Date) {
    const template = deepClone(cronJob.spec.jobTemplate ?? {});
    try {
      const job = this.resources.create(
        this.type('batch', 'jobs'),
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
              controllerReference(cronJob, 'CronJob', 'batch/v1'),
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

  private updateStatus(
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
    this.writeStatus(this.type('batch', 'cronjobs'), latest, next);
    return requeueAfterMs === undefined ? undefined : { requeueAfterMs };
  }
}
