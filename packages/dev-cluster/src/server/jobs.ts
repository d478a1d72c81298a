import type { ObjectStore } from '../store/objectStore';
import { labelSelectorMatcher } from '../machinery/labels';
import type { AdmissionPlugin } from './admission';
import { ControllerQueue, ReconcileResult } from './controllerQueue';
import {
  controllerContext,
  controllerReference,
  OwnerController,
} from './ownerControllers';
import { deepClone, timestamp } from './objects';
import type { ResourceRegistry } from './registry';
import type { ResourceService } from './resources';
import { isPodReady, isPodTerminal } from './podState';

/*
 * The Job controller of kube-controller-manager and its TTL-after-finished
 * controller: a job runs pods of its template until `completions` of them
 * succeed (NonIndexed) or every index has (Indexed), at most `parallelism`
 * at a time; failed pods are replaced after the kubelet's back-off (10 s
 * doubling, at most 6 min) until more than `backoffLimit` failures
 * (restarts count for OnFailure); `activeDeadlineSeconds`,
 * `podFailurePolicy` (FailJob, Ignore, Count on exit codes and pod
 * conditions) and `suspend` as documented; a finished job is deleted
 * `ttlSecondsAfterFinished` after it finished. Status and conditions are
 * those `kubectl wait --for=condition=complete` and `kubectl get jobs` read.
 */

const CONTROLLER = controllerContext('job-controller');

const CONTROLLER_UID = 'batch.kubernetes.io/controller-uid';
const JOB_NAME = 'batch.kubernetes.io/job-name';
const COMPLETION_INDEX = 'batch.kubernetes.io/job-completion-index';
const BACKOFF_BASE_MS = 10_000;
const BACKOFF_MAX_MS = 360_000;

/** Kubernetes' generated selector: new jobs select their pods by the job's UID (unless `manualSelector`). */
export const jobSelectorAdmission: AdmissionPlugin = {
  name: 'JobSelector',
  phase: 'mutating',
  admit(request) {
    const job = request.object as any;
    if (
      request.operation !== 'CREATE' ||
      request.type.group !== 'batch' ||
      request.type.plural !== 'jobs' ||
      request.subresource ||
      !job ||
      job.spec?.manualSelector
    )
      return undefined;
    const uid = job.metadata.uid;
    const name = job.metadata.name;
    const template = (job.spec.template ??= {});
    template.metadata = {
      ...(template.metadata ?? {}),
      labels: {
        ...(template.metadata?.labels ?? {}),
        [CONTROLLER_UID]: uid,
        [JOB_NAME]: name,
        'controller-uid': uid,
        'job-name': name,
      },
    };
    job.spec.selector ??= { matchLabels: { [CONTROLLER_UID]: uid } };
    return job;
  },
};

type Pod = any;

const isActive = (pod: Pod) =>
  !isPodTerminal(pod) && !pod.metadata.deletionTimestamp;

function finishTime(pod: Pod): number {
  const ends = (pod.status?.containerStatuses ?? [])
    .map((s: any) => Date.parse(s.state?.terminated?.finishedAt ?? ''))
    .filter((t: number) => !Number.isNaN(t));
  return ends.length
    ? Math.max(...ends)
    : Date.parse(pod.metadata.creationTimestamp);
}

/** The first podFailurePolicy rule a failed pod matches, with the message of a FailJob. */
export function matchPodFailurePolicy(
  policy: any,
  pod: Pod,
): { action: string; message: string } | undefined {
  const rules: any[] = policy?.rules ?? [];
  for (let i = 0; i < rules.length; i++) {
    const rule = rules[i];
    if (rule.onExitCodes) {
      const { containerName, operator, values = [] } = rule.onExitCodes;
      for (const status of pod.status?.containerStatuses ?? []) {
        const code = status.state?.terminated?.exitCode;
        if (code === undefined || code === 0) continue;
        if (containerName && status.name !== containerName) continue;
        const listed = values.includes(code);
        if (operator === 'In' ? listed : !listed) {
          return {
            action: rule.action,
            message: `Container ${status.name} for pod ${pod.metadata.namespace}/${pod.metadata.name} failed with exit code ${code} matching ${rule.action} rule at index ${i}`,
          };
        }
      }
    }
    for (const wanted of rule.onPodConditions ?? []) {
      const found = (pod.status?.conditions ?? []).find(
        (c: any) =>
          c.type === wanted.type && c.status === (wanted.status ?? 'True'),
      );
      if (found) {
        return {
          action: rule.action,
          message: `Pod ${pod.metadata.namespace}/${pod.metadata.name} has condition ${wanted.type} matching ${rule.action} rule at index ${i}`,
        };
      }
    }
  }
  return undefined;
}

/** Sorted indexes as Kubernetes writes `completedIndexes`: three or more in a row as a range (`1,3-5,7`). */
export function formatIndexes(indexes: Iterable<number>): string {
  const sorted = [...new Set(indexes)].sort((a, b) => a - b);
  const ranges: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++;
    ranges.push(
      ...(j - i >= 2
        ? [`${sorted[i]}-${sorted[j]}`]
        : sorted.slice(i, j + 1).map(String)),
    );
    i = j + 1;
  }
  return ranges.join(',');
}

function jobCondition(
  type: string,
  status: string,
  reason: string,
  message: string,
  previous?: any,
) {
  const now = timestamp();
  return {
    type,
    status,
    lastProbeTime: now,
    lastTransitionTime:
      previous?.status === status ? previous.lastTransitionTime : now,
    reason,
    message,
  };
}

const isFinished = (job: any) =>
  (job.status?.conditions ?? []).some(
    (c: any) =>
      (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True',
  );

export class JobController extends OwnerController {
  protected readonly queue = new ControllerQueue(key => this.sync(key));

  constructor(
    store: ObjectStore,
    registry: ResourceRegistry,
    resources: ResourceService,
  ) {
    super(store, registry, resources, {
      context: CONTROLLER,
      component: 'job-controller',
      owner: { kind: 'Job', apiVersion: 'batch/v1' },
    });
  }

  start(): void {
    this.follow('batch/jobs', e => this.queue.add(e.key));
    this.follow('/pods', e => this.queueController(e, 'Job', 'batch/v1'));
    this.queue.start();
  }

  private ownedPods(job: any): Pod[] {
    return this.owned('/pods', job, labelSelectorMatcher(job.spec?.selector));
  }

  private createPod(job: any, index: number | undefined) {
    const template = deepClone(job.spec.template ?? {});
    const metadata = {
      ...(template.metadata ?? {}),
      generateName: `${job.metadata.name}-${
        index === undefined ? '' : `${index}-`
      }`,
      ownerReferences: [controllerReference(job, 'Job', 'batch/v1')],
    };
    const spec = template.spec ?? {};
    if (index !== undefined) {
      metadata.labels = {
        ...metadata.labels,
        [COMPLETION_INDEX]: String(index),
      };
      metadata.annotations = {
        ...metadata.annotations,
        [COMPLETION_INDEX]: String(index),
      };
      spec.hostname ??= `${job.metadata.name}-${index}`;
      for (const container of [
        ...(spec.containers ?? []),
        ...(spec.initContainers ?? []),
      ]) {
        container.env = [
          ...(container.env ?? []),
          { name: 'JOB_COMPLETION_INDEX', value: String(index) },
        ];
      }
    }
    this.createControlledPod(job, { metadata, spec });
  }

  private sync(key: string): ReconcileResult {
    const job = this.store.get('batch/jobs', key) as any;
    if (!job || job.metadata.deletionTimestamp) return undefined;
    if (isFinished(job)) return this.expireFinished(job);
    const now = Date.now();
    const spec = job.spec ?? {};
    const pods = this.ownedPods(job);
    const indexed = spec.completionMode === 'Indexed';
    const indexOf = (pod: Pod) =>
      Number(pod.metadata.annotations?.[COMPLETION_INDEX]);

    // Failed pods, as the pod failure policy sees them.
    let failJob: string | undefined;
    let failedCount = 0;
    for (const pod of pods.filter(p => p.status?.phase === 'Failed')) {
      const match = matchPodFailurePolicy(spec.podFailurePolicy, pod);
      if (match?.action === 'Ignore') continue;
      if (match?.action === 'FailJob') failJob ??= match.message;
      failedCount++;
    }
    const succeededPods = pods.filter(p => p.status?.phase === 'Succeeded');
    const completedIndexes = new Set(
      succeededPods
        .map(indexOf)
        .filter(i => Number.isInteger(i) && i < spec.completions),
    );
    const succeeded = Math.max(
      job.status?.succeeded ?? 0,
      indexed ? completedIndexes.size : succeededPods.length,
    );
    const failed = Math.max(job.status?.failed ?? 0, failedCount);
    let active = pods.filter(isActive);
    const restarts =
      spec.template?.spec?.restartPolicy === 'OnFailure'
        ? active.reduce(
            (sum, p) =>
              sum +
              (p.status?.containerStatuses ?? []).reduce(
                (n: number, s: any) => n + (s.restartCount ?? 0),
                0,
              ),
            0,
          )
        : 0;

    const status: any = {
      ...deepClone(job.status ?? {}),
      succeeded,
      failed,
    };
    const conditions: any[] = status.conditions ?? [];
    const previous = (type: string) => conditions.find(c => c.type === type);
    const setCondition = (c: any) => {
      const i = conditions.findIndex(x => x.type === c.type);
      if (i >= 0) conditions[i] = c;
      else conditions.push(c);
    };
    let requeueAfterMs: number | undefined;

    // Why the job fails now, if it does.
    let failure: { reason: string; message: string } | undefined;
    if (failJob) failure = { reason: 'PodFailurePolicy', message: failJob };
    else if (failed + restarts > (spec.backoffLimit ?? 6))
      failure = {
        reason: 'BackoffLimitExceeded',
        message: 'Job has reached the specified backoff limit',
      };
    else if (!spec.suspend && status.startTime && spec.activeDeadlineSeconds) {
      const deadline =
        Date.parse(status.startTime) + spec.activeDeadlineSeconds * 1000;
      if (now >= deadline)
        failure = {
          reason: 'DeadlineExceeded',
          message: 'Job was active longer than specified deadline',
        };
      else requeueAfterMs = deadline - now;
    }
    const complete =
      !failure &&
      (spec.completions !== undefined
        ? succeeded >= spec.completions
        : succeeded > 0 && active.length === 0);

    if (failure) {
      for (const pod of active) this.deleteControlledPod(job, pod);
      active = [];
      setCondition(
        jobCondition('FailureTarget', 'True', failure.reason, failure.message),
      );
      setCondition(
        jobCondition('Failed', 'True', failure.reason, failure.message),
      );
      this.event(job, 'Warning', failure.reason, failure.message);
    } else if (complete) {
      for (const pod of active) this.deleteControlledPod(job, pod);
      active = [];
      setCondition(
        jobCondition(
          'SuccessCriteriaMet',
          'True',
          'CompletionsReached',
          'Reached expected number of succeeded pods',
        ),
      );
      setCondition(
        jobCondition(
          'Complete',
          'True',
          'CompletionsReached',
          'Reached expected number of succeeded pods',
        ),
      );
      status.completionTime = timestamp();
      this.event(job, 'Normal', 'Completed', 'Job completed');
    } else if (spec.suspend) {
      for (const pod of active) this.deleteControlledPod(job, pod);
      active = [];
      if (previous('Suspended')?.status !== 'True') {
        setCondition(
          jobCondition('Suspended', 'True', 'JobSuspended', 'Job suspended'),
        );
        this.event(job, 'Normal', 'Suspended', 'Job suspended');
      }
      // A resumed job's activeDeadlineSeconds counts from its resumption.
      delete status.startTime;
    } else {
      if (previous('Suspended')?.status === 'True') {
        setCondition(
          jobCondition(
            'Suspended',
            'False',
            'JobResumed',
            'Job resumed',
            previous('Suspended'),
          ),
        );
        this.event(job, 'Normal', 'Resumed', 'Job resumed');
      }
      status.startTime ??= timestamp();
      if (spec.activeDeadlineSeconds && requeueAfterMs === undefined)
        requeueAfterMs = spec.activeDeadlineSeconds * 1000;
      const parallelism = spec.parallelism ?? 1;
      // Without completions, the first success ends the work.
      let wanted = succeeded > 0 ? 0 : parallelism;
      if (spec.completions !== undefined)
        wanted = Math.min(parallelism, spec.completions - succeeded);
      // Replacements of failed pods wait for the back-off of the failures so far.
      const failedPods = pods.filter(p => p.status?.phase === 'Failed');
      const lastFailure = Math.max(0, ...failedPods.map(finishTime));
      const backoff = failed
        ? Math.min(BACKOFF_BASE_MS * 2 ** (failed - 1), BACKOFF_MAX_MS)
        : 0;
      const waitMs = lastFailure + backoff - now;
      if (active.length < wanted && failed && waitMs > 0) {
        requeueAfterMs = Math.min(requeueAfterMs ?? waitMs, waitMs);
      } else if (active.length < wanted) {
        const busy = new Set([...active.map(indexOf), ...completedIndexes]);
        let next = 0;
        for (let i = active.length; i < wanted; i++) {
          if (indexed) {
            while (busy.has(next)) next++;
            busy.add(next);
            this.createPod(job, next);
          } else this.createPod(job, undefined);
        }
        active = this.ownedPods(job).filter(isActive);
      } else if (active.length > wanted) {
        const extra = [...active]
          .sort((a, b) =>
            String(b.metadata.creationTimestamp).localeCompare(
              String(a.metadata.creationTimestamp),
            ),
          )
          .slice(0, active.length - wanted);
        for (const pod of extra) this.deleteControlledPod(job, pod);
        active = active.filter(p => !extra.includes(p));
      }
    }

    status.conditions = conditions.length ? conditions : undefined;
    status.active = active.length || undefined;
    status.ready = active.filter(isPodReady).length;
    status.terminating =
      pods.filter(p => p.metadata.deletionTimestamp && !isPodTerminal(p))
        .length || undefined;
    status.succeeded ||= undefined;
    status.failed ||= undefined;
    status.uncountedTerminatedPods = {};
    if (indexed) status.completedIndexes = formatIndexes(completedIndexes);
    for (const field of Object.keys(status))
      if (status[field] === undefined) delete status[field];
    this.writeStatus(
      this.type('batch', 'jobs'),
      this.store.get('batch/jobs', key),
      status,
    );
    if (failure || complete)
      return this.expireFinished(this.store.get('batch/jobs', key));
    return requeueAfterMs === undefined ? undefined : { requeueAfterMs };
  }

  /** The TTL-after-finished controller: deletes a finished job (and, in the background, its pods) once its TTL has passed. */
  private expireFinished(job: any): ReconcileResult {
    const ttl = job.spec?.ttlSecondsAfterFinished;
    if (ttl === undefined || ttl === null) return undefined;
    const finished = (job.status?.conditions ?? []).find(
      (c: any) =>
        (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True',
    );
    const at =
      Date.parse(finished?.lastTransitionTime ?? timestamp()) + ttl * 1000;
    const remaining = at - Date.now();
    if (remaining > 0) return { requeueAfterMs: remaining };
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
    return undefined;
  }
}
