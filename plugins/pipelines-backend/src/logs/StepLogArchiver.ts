import { ClusterAccess } from '@cairn/plugin-kubernetes-node';
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { IncomingMessage } from 'node:http';
import os from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { LoggerService } from '@backstage/backend-plugin-api';
import { CoreV1Api } from '@kubernetes/client-node';
import {
  PipelineRun,
  TaskRun,
  TEKTON_LABELS,
} from '@cairn/plugin-pipelines-common';
import { TektonWatches, taskRunsOf } from '../watch';
import { LogStore, StepArchive } from './LogStore';
import { openPodLog } from './podLogStream';
import { StepTarget, stepTargets } from './stepTargets';
import { ResumePoint, TimestampedLineSplitter } from './timestampedLines';

/** Options of {@link StepLogArchiver}. @public */
export interface StepLogArchiverOptions {
  clusters: ClusterAccess;
  watches: TektonWatches;
  store: LogStore;
  logger: LoggerService;
  /** Bytes kept of one step's log (head and tail); undefined: all. */
  maxStepBytes?: number;
  /** How long a replica's hold on a step lasts unless renewed (15 s). */
  leaseMs?: number;
  /** How often followed bytes are written to the database (500 ms). */
  flushMs?: number;
  /** Logs of ended steps read at once (4); running steps are all followed. */
  catchUpConcurrency?: number;
  /** This replica's name in the leases (host, process and a random part). */
  replica?: string;
}

/** Bytes a follower holds before it waits for them to be written. */
const FLUSH_BYTES = 256 * 1024;
/** Targets looked up in the database at once. */
const CHECK_BATCH = 200;

interface Follower {
  id: string;
  target: StepTarget;
  cluster: string;
  stepId: number;
  written: number;
  pending: Buffer[];
  pendingBytes: number;
  resume?: ResumePoint;
  flushing?: Promise<void>;
  /** Another replica holds the step now: stop. */
  lost: boolean;
  response?: IncomingMessage;
}

/** The TaskRun a step belongs to, as the archiver keeps track of it. */
const taskRunId = (cluster: string, namespace: string, taskRun: string) =>
  `${cluster}/${namespace}/${taskRun}`;

const targetId = (cluster: string, target: StepTarget) =>
  `${taskRunId(cluster, target.namespace, target.key.taskRun)}/${
    target.key.runUid
  }/${target.key.attempt}/${target.key.step}`;

/**
 * Archives every step's log while it is written: one follower per running
 * step container across all replicas (a lease row per step in the database
 * decides which replica follows it, and another takes over once a lease
 * expires), its lines appended to the database in chunks as they come, and
 * resumed after a restart from the last stored line (`sinceTime` with
 * timestamps). Steps that ended before anyone followed them (the portal was
 * down) are read once their TaskRun shows up in the watch. Readers wait
 * for appends through {@link StepLogArchiver.waitForAppend}.
 * @public
 */
export class StepLogArchiver {
  readonly replica: string;
  private readonly leaseMs: number;
  private readonly flushMs: number;
  private readonly appends = new EventEmitter();
  private readonly followers = new Map<string, Follower>();
  /** Steps archived completely (or gone), by TaskRun: nothing more to do. */
  private readonly settled = new Map<string, Set<string>>();
  /** Steps another replica holds, by id: taken over when its lease expires. */
  private readonly contested = new Map<
    string,
    { cluster: string; target: StepTarget; stepId: number }
  >();
  private readonly queued = new Map<
    string,
    { cluster: string; run: PipelineRun; target: StepTarget }
  >();
  private readonly unsubscribes: Array<() => void> = [];
  private catchUpSlots: number;
  private readonly catchUpWaiters: Array<() => void> = [];
  private checking?: Promise<void>;
  private timers: NodeJS.Timeout[] = [];
  private running = false;

  constructor(private readonly options: StepLogArchiverOptions) {
    this.replica =
      options.replica ??
      `${os.hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
    this.leaseMs = options.leaseMs ?? 15_000;
    this.flushMs = options.flushMs ?? 500;
    this.catchUpSlots = options.catchUpConcurrency ?? 4;
    this.appends.setMaxListeners(0);
  }

  /** Resolves when bytes are appended to the step (or `timeoutMs` passes). */
  waitForAppend(stepId: number, timeoutMs: number): Promise<void> {
    return new Promise(resolve => {
      let timer: NodeJS.Timeout | undefined = undefined;
      const done = () => {
        clearTimeout(timer);
        this.appends.off(String(stepId), done);
        resolve();
      };
      timer = setTimeout(done, timeoutMs);
      this.appends.on(String(stepId), done);
    });
  }

  /** Follows the watches' TaskRuns; call before the watches start. */
  start(): void {
    this.running = true;
    for (const cluster of this.options.watches.clusterNames()) {
      const caches = this.options.watches.get(cluster);
      this.unsubscribes.push(
        caches.taskRuns.subscribe(event => {
          if (event.type === 'deleted') this.forget(cluster, event.object);
          else this.consider(cluster, event.object);
        }),
        // A TaskRun seen before its PipelineRun is looked at again.
        caches.pipelineRuns.subscribe(event => {
          if (event.type !== 'added') return;
          for (const taskRun of taskRunsOf(caches, event.object)) {
            this.consider(cluster, taskRun);
          }
        }),
      );
    }
    this.timers.push(
      setInterval(() => this.flushAll(), this.flushMs),
      setInterval(() => this.tick(), Math.max(100, this.leaseMs / 3)),
    );
  }

  /**
   * Stops following: what was read is written, and the steps held are
   * released so that another replica takes them over at once.
   */
  async stop(): Promise<void> {
    this.running = false;
    for (const unsubscribe of this.unsubscribes.splice(0)) unsubscribe();
    for (const timer of this.timers.splice(0)) clearInterval(timer);
    for (const follower of this.followers.values())
      follower.response?.destroy();
    for (const wake of this.catchUpWaiters.splice(0)) wake();
    while (this.followers.size > 0 || this.checking) {
      await Promise.all([
        this.checking,
        ...[...this.followers.values()].map(f => f.flushing),
      ]);
      await sleep(10);
    }
    await this.options.store.release(this.replica);
  }

  /** The steps this replica follows now (tests, benchmark). */
  get following(): number {
    return this.followers.size;
  }

  private consider(cluster: string, taskRun: TaskRun): void {
    if (!this.running) return;
    const runName = taskRun.metadata.labels?.[TEKTON_LABELS.pipelineRun];
    if (!runName) return;
    const run = this.options.watches
      .get(cluster)
      .pipelineRuns.get(taskRun.metadata.namespace ?? '', runName);
    if (!run?.metadata.uid) return;
    for (const target of stepTargets(run, taskRun)) {
      const id = targetId(cluster, target);
      if (
        this.settled
          .get(taskRunId(cluster, target.namespace, target.key.taskRun))
          ?.has(id) ||
        this.followers.has(id) ||
        this.contested.has(id)
      ) {
        continue;
      }
      this.queued.set(id, { cluster, run, target });
    }
    if (this.queued.size > 0) this.checking ??= this.check();
  }

  private forget(cluster: string, taskRun: TaskRun): void {
    const id = taskRunId(
      cluster,
      taskRun.metadata.namespace ?? '',
      taskRun.metadata.name ?? '',
    );
    this.settled.delete(id);
    for (const contested of this.contested.keys()) {
      if (contested.startsWith(`${id}/`)) this.contested.delete(contested);
    }
  }

  private settle(cluster: string, target: StepTarget, id: string): void {
    const taskRun = taskRunId(cluster, target.namespace, target.key.taskRun);
    let steps = this.settled.get(taskRun);
    if (!steps) {
      steps = new Set();
      this.settled.set(taskRun, steps);
    }
    steps.add(id);
  }

  /** Looks up the queued steps in the database, a batch at a time. */
  private async check(): Promise<void> {
    try {
      while (this.running && this.queued.size > 0) {
        const batch = [...this.queued].slice(0, CHECK_BATCH);
        for (const [id] of batch) this.queued.delete(id);
        await this.checkBatch(batch);
      }
    } catch (error) {
      this.options.logger.warn(`could not archive step logs: ${error}`);
    } finally {
      this.checking = undefined;
      if (this.running && this.queued.size > 0) this.checking = this.check();
    }
  }

  private async checkBatch(
    batch: Array<
      [string, { cluster: string; run: PipelineRun; target: StepTarget }]
    >,
  ): Promise<void> {
    const { store } = this.options;
    const runUids = [...new Set(batch.map(([, b]) => b.target.key.runUid))];
    const known = new Map<string, StepArchive>();
    for (const step of await store.stepsOfRuns(runUids)) {
      known.set(
        `${step.runUid}/${step.taskRun}/${step.attempt}/${step.step}`,
        step,
      );
    }
    const saved = new Set<string>();
    for (const [id, { cluster, run, target }] of batch) {
      if (!this.running) return;
      const { key } = target;
      let step = known.get(
        `${key.runUid}/${key.taskRun}/${key.attempt}/${key.step}`,
      );
      if (step && step.state !== 'open') {
        this.settle(cluster, target, id);
        continue;
      }
      if (!step) {
        if (!saved.has(key.runUid)) {
          saved.add(key.runUid);
          await store.saveRun({
            runUid: key.runUid,
            cluster,
            namespace: run.metadata.namespace ?? '',
            name: run.metadata.name ?? '',
            labels: run.metadata.labels ?? {},
            archivedAt: new Date(),
          });
        }
        step = await store.openStep(key, {
          container: target.container,
          pod: target.pod,
          maxBytes: this.options.maxStepBytes,
        });
      }
      await this.tryFollow(id, cluster, target, step.id);
    }
  }

  private async tryFollow(
    id: string,
    cluster: string,
    target: StepTarget,
    stepId: number,
  ): Promise<void> {
    const now = Date.now();
    const step = await this.options.store.acquire(
      stepId,
      this.replica,
      now + this.leaseMs,
      now,
    );
    if (!step) {
      this.contested.set(id, { cluster, target, stepId });
      return;
    }
    this.contested.delete(id);
    const follower: Follower = {
      id,
      target,
      cluster,
      stepId,
      written: step.written,
      pending: [],
      pendingBytes: 0,
      resume: step.resume,
      lost: false,
    };
    this.followers.set(id, follower);
    this.follow(follower, step)
      .catch(error => {
        this.options.logger.warn(
          `could not archive the log of step "${target.key.step}" of task run "${target.key.taskRun}" on cluster "${cluster}" (will retry): ${error}`,
        );
        // This replica still holds the step's lease: the next tick follows
        // it again (else the lease, renewed with the others, would keep
        // every replica away from a step nobody follows).
        if (this.running && !follower.lost) {
          this.contested.set(id, { cluster, target, stepId });
        }
      })
      .finally(() => {
        this.followers.delete(id);
        this.appends.emit(String(stepId));
      });
  }

  /** Renews this replica's leases; takes over steps whose holder is gone. */
  private async tick(): Promise<void> {
    const { store } = this.options;
    try {
      const now = Date.now();
      await store.renewLeases(this.replica, now + this.leaseMs);
      if (this.contested.size === 0) return;
      const byStep = new Map(
        [...this.contested].map(([id, c]) => [c.stepId, { id, ...c }]),
      );
      const states = await store.leaseStates([...byStep.keys()]);
      for (const state of states) {
        const contested = byStep.get(state.id)!;
        if (state.state !== 'open') {
          this.contested.delete(contested.id);
          this.settle(contested.cluster, contested.target, contested.id);
        } else if (
          !state.holder ||
          state.leaseExpiresAt < now ||
          (state.holder === this.replica && !this.followers.has(contested.id))
        ) {
          await this.tryFollow(
            contested.id,
            contested.cluster,
            contested.target,
            state.id,
          );
        }
      }
    } catch (error) {
      this.options.logger.warn(`could not renew step log leases: ${error}`);
    }
  }

  private async catchUpSlot(): Promise<() => void> {
    while (this.catchUpSlots === 0 && this.running) {
      await new Promise<void>(resolve => this.catchUpWaiters.push(resolve));
    }
    this.catchUpSlots -= 1;
    return () => {
      this.catchUpSlots += 1;
      this.catchUpWaiters.shift()?.();
    };
  }

  /**
   * Follows one step's log from where the archive stands until its
   * container ends, reconnecting when the connection drops.
   */
  private async follow(follower: Follower, step: StepArchive): Promise<void> {
    const { target, cluster } = follower;
    const { store } = this.options;
    const details = this.options.clusters.get(cluster);
    const releaseSlot = target.ended ? await this.catchUpSlot() : () => {};
    try {
      let connected = false;
      let failures = 0;
      while (this.running && !follower.lost) {
        let response: IncomingMessage;
        try {
          response = await openPodLog(details, target.namespace, target.pod, {
            container: target.container,
            follow: true,
            timestamps: true,
            sinceTime: follower.resume?.time,
          });
        } catch (error) {
          if ((error as { code?: number }).code === 404) {
            await this.flush(follower);
            if (!connected && follower.written === 0 && !step.resume) {
              await store.finish(
                step.id,
                this.replica,
                'gone',
                `pod "${target.pod}" was deleted before archiving began`,
              );
            } else {
              await store.finish(
                step.id,
                this.replica,
                'complete',
                connected
                  ? undefined
                  : `pod "${target.pod}" was deleted before archiving caught up: the log may end early`,
              );
            }
            this.settle(cluster, target, follower.id);
            return;
          }
          failures += 1;
          if (failures === 3) {
            this.options.logger.warn(
              `could not read the log of container "${target.container}" of pod "${target.pod}" on cluster "${cluster}" (will retry): ${error}`,
            );
          }
          await sleep(Math.min(10_000, 250 * 2 ** Math.min(failures, 6)));
          continue;
        }
        connected = true;
        failures = 0;
        follower.response = response;
        // Each connection starts at a line: a line cut short comes again.
        const splitter = new TimestampedLineSplitter(follower.resume);
        try {
          for await (const chunk of response) {
            this.take(follower, splitter.push(chunk as Buffer), splitter);
            if (follower.pendingBytes >= FLUSH_BYTES)
              await this.flush(follower);
            if (follower.lost) break;
          }
        } catch {
          // The connection failed: reconnect from the last whole line.
        }
        follower.response = undefined;
        if (!this.running || follower.lost) break;
        if (await this.containerEnded(cluster, target)) {
          this.take(follower, splitter.end(), splitter);
          await this.flush(follower);
          if (!follower.lost) {
            await store.finish(step.id, this.replica, 'complete');
            this.settle(cluster, target, follower.id);
          }
          return;
        }
        await sleep(250);
      }
      await this.flush(follower);
    } finally {
      releaseSlot();
    }
  }

  private take(
    follower: Follower,
    data: Buffer,
    splitter: TimestampedLineSplitter,
  ): void {
    follower.resume = splitter.resume;
    if (data.length === 0) return;
    follower.pending.push(data);
    follower.pendingBytes += data.length;
  }

  /** Whether the container ended (or its pod is gone). */
  private async containerEnded(
    cluster: string,
    target: StepTarget,
  ): Promise<boolean> {
    try {
      const pod = await this.options.clusters
        .client(cluster, CoreV1Api)
        .readNamespacedPod({ name: target.pod, namespace: target.namespace });
      const status = pod.status?.containerStatuses?.find(
        c => c.name === target.container,
      );
      return (
        Boolean(status?.state?.terminated) ||
        pod.status?.phase === 'Succeeded' ||
        pod.status?.phase === 'Failed'
      );
    } catch (error) {
      return (error as { code?: number }).code === 404;
    }
  }

  private flushAll(): void {
    const ready = [...this.followers.values()].filter(
      f => f.pendingBytes > 0 && !f.flushing,
    );
    if (ready.length > 0) this.write(ready).catch(() => {});
  }

  /** Writes what the follower holds (after any write in progress). */
  private async flush(follower: Follower): Promise<void> {
    while (follower.flushing) await follower.flushing;
    if (follower.pendingBytes > 0) await this.write([follower]);
  }

  private write(followers: Follower[]): Promise<void> {
    const appends = followers.map(f => {
      const data = Buffer.concat(f.pending);
      f.pending = [];
      f.pendingBytes = 0;
      return { stepId: f.stepId, written: f.written, data, resume: f.resume };
    });
    const writing = (async () => {
      try {
        const refused = await this.options.store.append(
          this.replica,
          appends,
          Date.now() + this.leaseMs,
        );
        followers.forEach((f, i) => {
          if (refused.has(f.stepId)) {
            // Another replica holds the step now (this one stalled).
            f.lost = true;
            f.response?.destroy();
          } else {
            f.written += appends[i].data.length;
          }
          this.appends.emit(String(f.stepId));
        });
      } catch (error) {
        // Not written: put back in front, tried again on the next flush.
        followers.forEach((f, i) => {
          f.pending.unshift(appends[i].data);
          f.pendingBytes += appends[i].data.length;
        });
        this.options.logger.warn(`could not write step logs: ${error}`);
      } finally {
        for (const f of followers) f.flushing = undefined;
      }
    })();
    for (const f of followers) f.flushing = writing;
    return writing;
  }
}
