import { randomUUID } from 'node:crypto';
import os from 'node:os';
import {
  ApiException,
  CoordinationV1Api,
  KubeConfig,
  V1Lease,
  V1LeaseSpec,
  V1MicroTime,
} from '@kubernetes/client-node';
import { jsonLogger, Logger } from './logger';
import type { ControllerMetrics } from './metrics';

/*
 * Leader election on a coordination.k8s.io/v1 Lease, as client-go's
 * leaderelection package does it. Candidates try every retryPeriod to take
 * the Lease; it is free when it has no holder, or when its record has not
 * changed for leaseDurationSeconds by the candidate's own clock (so clock
 * skew between replicas does not matter). The leader renews every
 * retryPeriod; if it cannot renew for renewDeadline it stops leading, before
 * the lease runs out for the others. Every write carries the resourceVersion
 * it read, so two candidates never both win. On a graceful stop the leader
 * releases the Lease (clears holderIdentity, as ReleaseOnCancel), so the
 * next leader does not wait out the lease.
 */

export interface LeaderElectionOptions {
  kubeConfig: KubeConfig;
  /** Where the Lease lives. */
  namespace: string;
  /** The Lease's name (controller-runtime's LeaderElectionID). */
  name: string;
  /** This candidate; `<hostname>_<uuid>` by default, as client-go's. */
  identity?: string;
  /** How long a lease holds without renewal (client-go's default 15 s). */
  leaseDurationMs?: number;
  /** How long the leader keeps trying to renew before it gives up (10 s). */
  renewDeadlineMs?: number;
  /** How often candidates try to acquire and the leader renews (2 s). */
  retryPeriodMs?: number;
  metrics?: ControllerMetrics;
  logger?: Logger;
  /** This candidate became leader. */
  onStartedLeading(): void;
  /** This candidate stopped leading (lost the lease, or stopped). */
  onStoppedLeading(): void;
  /** Another candidate (or this one) was seen holding the lease. */
  onNewLeader?(identity: string): void;
}

/** client-go's JitterFactor for the acquire retry. */
const JITTER = 1.2;

function conflictOrExists(error: unknown): boolean {
  return error instanceof ApiException && error.code === 409;
}

function notFound(error: unknown): boolean {
  return error instanceof ApiException && error.code === 404;
}

/** The election record a Lease holds; times as the API serialized them. */
function recordOf(spec: V1LeaseSpec | undefined): string {
  return JSON.stringify([
    spec?.holderIdentity ?? '',
    spec?.leaseDurationSeconds,
    spec?.acquireTime,
    spec?.renewTime,
    spec?.leaseTransitions ?? 0,
  ]);
}

export class LeaderElector {
  readonly identity: string;
  private readonly leases: CoordinationV1Api;
  private readonly leaseDurationMs: number;
  private readonly renewDeadlineMs: number;
  private readonly retryPeriodMs: number;
  private readonly logger: Logger;
  /** The Lease as last read or written, and when (by our clock) its record last changed. */
  private observed?: V1Lease;
  private observedRecord = '';
  private observedTime = 0;
  private leading = false;
  private reportedLeader = '';
  private stopped = false;
  private sleeping?: { timer: NodeJS.Timeout; wake: () => void };
  private running?: Promise<void>;

  constructor(private readonly options: LeaderElectionOptions) {
    this.identity = options.identity ?? `${os.hostname()}_${randomUUID()}`;
    this.leaseDurationMs = options.leaseDurationMs ?? 15_000;
    this.renewDeadlineMs = options.renewDeadlineMs ?? 10_000;
    this.retryPeriodMs = options.retryPeriodMs ?? 2_000;
    if (this.leaseDurationMs <= this.renewDeadlineMs)
      throw new Error('leaseDuration must be greater than renewDeadline');
    if (this.renewDeadlineMs <= JITTER * this.retryPeriodMs)
      throw new Error('renewDeadline must be greater than retryPeriod*1.2');
    this.leases = options.kubeConfig.makeApiClient(CoordinationV1Api);
    this.logger = (options.logger ?? jsonLogger()).child({
      lease: `${options.namespace}/${options.name}`,
      identity: this.identity,
    });
    options.metrics?.leading(options.name, false);
  }

  isLeader(): boolean {
    return this.leading;
  }

  /** The holder last seen on the Lease ('' if none). */
  leader(): string {
    return this.reportedLeader;
  }

  /** Runs until stopped or the lease is lost; resolves then. */
  run(): Promise<void> {
    this.running ??= this.loop();
    return this.running;
  }

  /**
   * Stops. With `release` (the default, client-go's ReleaseOnCancel) a
   * leader clears holderIdentity so another candidate takes over at once;
   * without it, the Lease is left to expire, as when a process dies.
   */
  async stop({ release = true }: { release?: boolean } = {}): Promise<void> {
    this.stopped = true;
    this.wake();
    await this.running;
    if (this.leading) {
      if (release) await this.release();
      this.stopLeading();
    }
  }

  private async loop(): Promise<void> {
    this.logger.info('attempting to acquire leader lease');
    while (!this.stopped && !(await this.tryAcquireOrRenew()))
      await this.sleep(this.retryPeriodMs * (1 + Math.random() * (JITTER - 1)));
    if (this.stopped) return;
    this.leading = true;
    this.options.metrics?.leading(this.options.name, true);
    this.logger.info('successfully acquired lease');
    this.options.onStartedLeading();
    while (!this.stopped) {
      const deadline = Date.now() + this.renewDeadlineMs;
      let renewed = false;
      while (!this.stopped && !renewed && Date.now() < deadline) {
        renewed = await this.tryAcquireOrRenew();
        if (!renewed) await this.sleep(this.retryPeriodMs);
      }
      if (this.stopped) return;
      if (!renewed) {
        this.logger.error(
          'failed to renew lease',
          new Error(`no renewal within ${this.renewDeadlineMs} ms`),
        );
        this.stopLeading();
        return;
      }
      await this.sleep(this.retryPeriodMs);
    }
  }

  private stopLeading(): void {
    if (!this.leading) return;
    this.leading = false;
    this.options.metrics?.leading(this.options.name, false);
    this.logger.info('stopped leading');
    this.options.onStoppedLeading();
  }

  /** One attempt; true if this candidate holds the Lease afterwards. */
  private async tryAcquireOrRenew(): Promise<boolean> {
    const { namespace, name } = this.options;
    const now = new V1MicroTime();
    const leaseDurationSeconds = Math.round(this.leaseDurationMs / 1000);
    try {
      let lease: V1Lease;
      try {
        lease = await this.leases.readNamespacedLease({ name, namespace });
      } catch (error) {
        if (!notFound(error)) throw error;
        this.observe(
          await this.leases.createNamespacedLease({
            namespace,
            body: {
              metadata: { name, namespace },
              spec: {
                holderIdentity: this.identity,
                leaseDurationSeconds,
                acquireTime: now,
                renewTime: now,
                leaseTransitions: 0,
              },
            },
          }),
        );
        return true;
      }
      this.observe(lease);
      const spec = lease.spec ?? {};
      const holder = spec.holderIdentity ?? '';
      const heldFor =
        (spec.leaseDurationSeconds ?? leaseDurationSeconds) * 1000;
      if (
        holder &&
        holder !== this.identity &&
        this.observedTime + heldFor > Date.now()
      )
        return false;
      const ours = holder === this.identity;
      this.observe(
        await this.leases.replaceNamespacedLease({
          name,
          namespace,
          body: {
            ...lease,
            spec: {
              ...spec,
              holderIdentity: this.identity,
              leaseDurationSeconds,
              acquireTime: ours ? spec.acquireTime ?? now : now,
              renewTime: now,
              leaseTransitions: ours
                ? spec.leaseTransitions ?? 0
                : (spec.leaseTransitions ?? 0) + 1,
            },
          },
        }),
      );
      return true;
    } catch (error) {
      if (!conflictOrExists(error))
        this.logger.error('error retrieving or updating lease', error);
      return false;
    }
  }

  /** Clears holderIdentity, as client-go's release(). */
  private async release(): Promise<void> {
    const lease = this.observed;
    if (!lease || lease.spec?.holderIdentity !== this.identity) return;
    const now = new V1MicroTime();
    try {
      await this.leases.replaceNamespacedLease({
        name: this.options.name,
        namespace: this.options.namespace,
        body: {
          ...lease,
          spec: {
            ...lease.spec,
            holderIdentity: '',
            leaseDurationSeconds: 1,
            acquireTime: now,
            renewTime: now,
          },
        },
      });
      this.logger.info('released lease');
    } catch (error) {
      this.logger.error('failed to release lease', error);
    }
  }

  private observe(lease: V1Lease): void {
    this.observed = lease;
    const record = recordOf(lease.spec);
    if (record !== this.observedRecord) {
      this.observedRecord = record;
      this.observedTime = Date.now();
    }
    const holder = lease.spec?.holderIdentity ?? '';
    if (holder && holder !== this.reportedLeader) {
      this.reportedLeader = holder;
      if (holder !== this.identity)
        this.logger.info('new leader elected', { leader: holder });
      this.options.onNewLeader?.(holder);
    }
  }

  private sleep(ms: number): Promise<void> {
    if (this.stopped) return Promise.resolve();
    return new Promise(resolve => {
      const sleeping = {
        timer: setTimeout(() => sleeping.wake(), ms),
        wake: () => {
          clearTimeout(sleeping.timer);
          this.sleeping = undefined;
          resolve();
        },
      };
      this.sleeping = sleeping;
    });
  }

  private wake(): void {
    this.sleeping?.wake();
  }
}
