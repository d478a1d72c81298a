import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { WorkQueueMetrics } from './workQueue';

/*
 * The metrics controller-runtime exports, under its names and labels, so
 * dashboards and alerts written for Go operators work unchanged. One
 * registry per Manager (not prom-client's global one), so two managers in
 * one process do not share counters.
 */

/** controller-runtime's reconcile-time buckets (seconds). */
const RECONCILE_BUCKETS = [
  0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5,
  0.6, 0.7, 0.8, 0.9, 1, 1.25, 1.5, 1.75, 2, 2.5, 3, 3.5, 4, 4.5, 5, 6, 7, 8, 9,
  10, 15, 20, 25, 30, 40, 50, 60,
];
/** client-go's workqueue buckets: 10^-8 … 10^1 seconds. */
const QUEUE_BUCKETS = Array.from({ length: 10 }, (_, i) => 10 ** (i - 8));

export type ReconcileOutcome =
  | 'success'
  | 'error'
  | 'requeue'
  | 'requeue_after';

export class ControllerMetrics {
  readonly registry = new Registry();
  private readonly reconcileTotal = new Counter({
    name: 'controller_runtime_reconcile_total',
    help: 'Total number of reconciliations per controller',
    labelNames: ['controller', 'result'],
    registers: [this.registry],
  });
  private readonly reconcileErrors = new Counter({
    name: 'controller_runtime_reconcile_errors_total',
    help: 'Total number of reconciliation errors per controller',
    labelNames: ['controller'],
    registers: [this.registry],
  });
  private readonly reconcileTime = new Histogram({
    name: 'controller_runtime_reconcile_time_seconds',
    help: 'Length of time per reconciliation per controller',
    labelNames: ['controller'],
    buckets: RECONCILE_BUCKETS,
    registers: [this.registry],
  });
  private readonly activeWorkers = new Gauge({
    name: 'controller_runtime_active_workers',
    help: 'Number of currently used workers per controller',
    labelNames: ['controller'],
    registers: [this.registry],
  });
  private readonly maxConcurrentReconciles = new Gauge({
    name: 'controller_runtime_max_concurrent_reconciles',
    help: 'Maximum number of concurrent reconciles per controller',
    labelNames: ['controller'],
    registers: [this.registry],
  });
  private readonly queueDepths = new Map<string, () => number>();
  private readonly depth = new Gauge({
    name: 'workqueue_depth',
    help: 'Current depth of workqueue',
    labelNames: ['name', 'controller'],
    registers: [this.registry],
    collect: () => {
      for (const [name, depth] of this.queueDepths)
        this.depth.set({ name, controller: name }, depth());
    },
  });
  private readonly adds = new Counter({
    name: 'workqueue_adds_total',
    help: 'Total number of adds handled by workqueue',
    labelNames: ['name', 'controller'],
    registers: [this.registry],
  });
  private readonly queueDuration = new Histogram({
    name: 'workqueue_queue_duration_seconds',
    help: 'How long in seconds an item stays in workqueue before being requested',
    labelNames: ['name', 'controller'],
    buckets: QUEUE_BUCKETS,
    registers: [this.registry],
  });
  private readonly workDuration = new Histogram({
    name: 'workqueue_work_duration_seconds',
    help: 'How long in seconds processing an item from workqueue takes.',
    labelNames: ['name', 'controller'],
    buckets: QUEUE_BUCKETS,
    registers: [this.registry],
  });
  private readonly retries = new Counter({
    name: 'workqueue_retries_total',
    help: 'Total number of retries handled by workqueue',
    labelNames: ['name', 'controller'],
    registers: [this.registry],
  });
  private readonly leaderStatus = new Gauge({
    name: 'leader_election_master_status',
    help: "Gauge of if the reporting system is master of the relevant lease, 0 indicates backup, 1 indicates master. 'name' is the string used to identify the lease. Please make sure to group by name.",
    labelNames: ['name'],
    registers: [this.registry],
  });

  /** The hooks of one controller's work queue; `depth` is read at each scrape. */
  workQueue(name: string, depth: () => number): WorkQueueMetrics {
    const labels = { name, controller: name };
    this.queueDepths.set(name, depth);
    // Created at zero, so a dashboard sees every queue before its first add.
    this.adds.inc(labels, 0);
    this.retries.inc(labels, 0);
    return {
      added: () => this.adds.inc(labels),
      taken: seconds => this.queueDuration.observe(labels, seconds),
      finished: seconds => this.workDuration.observe(labels, seconds),
      retried: () => this.retries.inc(labels),
    };
  }

  controllerStarted(controller: string, concurrency: number): void {
    this.maxConcurrentReconciles.set({ controller }, concurrency);
    this.activeWorkers.set({ controller }, 0);
    this.reconcileErrors.inc({ controller }, 0);
    for (const result of [
      'success',
      'error',
      'requeue',
      'requeue_after',
    ] as const)
      this.reconcileTotal.inc({ controller, result }, 0);
  }

  reconcileStarted(controller: string): void {
    this.activeWorkers.inc({ controller });
  }

  reconciled(
    controller: string,
    outcome: ReconcileOutcome,
    seconds: number,
  ): void {
    this.activeWorkers.dec({ controller });
    this.reconcileTotal.inc({ controller, result: outcome });
    if (outcome === 'error') this.reconcileErrors.inc({ controller });
    this.reconcileTime.observe({ controller }, seconds);
  }

  leading(lease: string, isLeader: boolean): void {
    this.leaderStatus.set({ name: lease }, isLeader ? 1 : 0);
  }

  /** The Prometheus text exposition of every metric. */
  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
