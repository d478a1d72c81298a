import type { KubeObject } from '../store/types';
import { encodeObject } from './encoding';
import { ageSince, humanDuration } from './humanDuration';
import { evaluateJsonPath, parseJsonPath } from './jsonPath';
import type { PrinterColumn, ResourceType } from './registry';
import { formatLabelSelector } from './subresources';

/*
 * Server-side printing (meta.k8s.io/v1 Table): the columns and cells
 * kube-apiserver's printers produce for the built-in kinds, CRD printer
 * columns for custom resources, and NAME / CREATED AT for the rest.
 */

export interface TableColumn {
  name: string;
  type: string;
  format: string;
  description: string;
  priority: number;
}

type Cell = string | number | boolean | null;

interface Printer {
  columns: TableColumn[];
  cells(object: any, now: number): Cell[];
}

const NAME_DESCRIPTION =
  'Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names';
const AGE_DESCRIPTION =
  'CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata';

function column(
  name: string,
  type: string,
  description = '',
  priority = 0,
  format = '',
): TableColumn {
  return { name, type, format, description, priority };
}

const NAME = column('Name', 'string', NAME_DESCRIPTION, 0, 'name');
const AGE = column('Age', 'string', AGE_DESCRIPTION);

const none = (value: unknown): string =>
  value === undefined || value === null || value === ''
    ? '<none>'
    : String(value);

function age(object: KubeObject, now: number): string {
  return ageSince(object.metadata.creationTimestamp, now);
}

function selectorText(selector: Record<string, string> | undefined): string {
  if (!selector || !Object.keys(selector).length) return '<none>';
  return Object.keys(selector)
    .sort()
    .map(k => `${k}=${selector[k]}`)
    .join(',');
}

/** metav1.FormatLabelSelector, `<none>` when empty. */
function labelSelectorText(selector: any): string {
  return formatLabelSelector(selector) || '<none>';
}

function containersAndImages(podSpec: any): [string, string] {
  const containers: any[] = podSpec?.containers ?? [];
  return [
    containers.map(c => c.name).join(','),
    containers.map(c => c.image).join(','),
  ];
}

/** printPod's STATUS column. */
export function podStatusReason(pod: any): string {
  const status = pod.status ?? {};
  let reason: string = status.reason || status.phase || '';
  const initStatuses: any[] = status.initContainerStatuses ?? [];
  const initContainers: any[] = pod.spec?.initContainers ?? [];
  let initializing = false;
  for (let i = 0; i < initStatuses.length; i++) {
    const c = initStatuses[i];
    const sidecar =
      initContainers.find(ic => ic.name === c.name)?.restartPolicy === 'Always';
    if (c.state?.terminated?.exitCode === 0) continue;
    if (sidecar && c.started) continue;
    if (c.state?.terminated) {
      const t = c.state.terminated;
      if (t.reason) reason = `Init:${t.reason}`;
      else if (t.signal) reason = `Init:Signal:${t.signal}`;
      else reason = `Init:ExitCode:${t.exitCode}`;
    } else if (
      c.state?.waiting?.reason &&
      c.state.waiting.reason !== 'PodInitializing'
    ) {
      reason = `Init:${c.state.waiting.reason}`;
    } else {
      reason = `Init:${i}/${initContainers.length}`;
    }
    initializing = true;
    break;
  }
  if (!initializing) {
    let hasRunning = false;
    const statuses: any[] = status.containerStatuses ?? [];
    for (let i = statuses.length - 1; i >= 0; i--) {
      const c = statuses[i];
      if (c.state?.waiting?.reason) reason = c.state.waiting.reason;
      else if (c.state?.terminated?.reason) reason = c.state.terminated.reason;
      else if (c.state?.terminated) {
        reason = c.state.terminated.signal
          ? `Signal:${c.state.terminated.signal}`
          : `ExitCode:${c.state.terminated.exitCode}`;
      } else if (c.ready && c.state?.running) hasRunning = true;
    }
    if (reason === 'Completed' && hasRunning) {
      const ready = (status.conditions ?? []).some(
        (c: any) => c.type === 'Ready' && c.status === 'True',
      );
      reason = ready ? 'Running' : 'NotReady';
    }
  }
  if (pod.metadata.deletionTimestamp) {
    reason = status.reason === 'NodeLost' ? 'Unknown' : 'Terminating';
  }
  return reason;
}

function podRestarts(pod: any, now: number): string {
  let restarts = 0;
  let last = 0;
  for (const c of [
    ...(pod.status?.initContainerStatuses ?? []),
    ...(pod.status?.containerStatuses ?? []),
  ]) {
    restarts += c.restartCount ?? 0;
    const finished = c.lastState?.terminated?.finishedAt;
    if (finished) last = Math.max(last, Date.parse(finished));
  }
  return last && restarts
    ? `${restarts} (${ageSince(new Date(last).toISOString(), now)} ago)`
    : String(restarts);
}

function podReadinessGates(pod: any): string {
  const gates: any[] = pod.spec?.readinessGates ?? [];
  if (!gates.length) return '<none>';
  const conditions: any[] = pod.status?.conditions ?? [];
  const trueCount = gates.filter(g =>
    conditions.some(c => c.type === g.conditionType && c.status === 'True'),
  ).length;
  return `${trueCount}/${gates.length}`;
}

const podPrinter: Printer = {
  columns: [
    NAME,
    column(
      'Ready',
      'string',
      'The aggregate readiness state of this pod for accepting traffic.',
    ),
    column(
      'Status',
      'string',
      'The aggregate status of the containers in this pod.',
    ),
    column(
      'Restarts',
      'string',
      'The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.',
    ),
    AGE,
    column('IP', 'string', 'podIP is the IP address allocated to the pod.', 1),
    column(
      'Node',
      'string',
      'nodeName indicates in which node this pod is scheduled.',
      1,
    ),
    column(
      'Nominated Node',
      'string',
      'nominatedNodeName is set only when this pod preempts other pods on the node.',
      1,
    ),
    column(
      'Readiness Gates',
      'string',
      'If specified, all readiness gates will be evaluated for pod readiness.',
      1,
    ),
  ],
  cells(pod, now) {
    const statuses: any[] = pod.status?.containerStatuses ?? [];
    const total = pod.spec?.containers?.length ?? 0;
    const ready = statuses.filter(c => c.ready && c.state?.running).length;
    return [
      pod.metadata.name,
      `${ready}/${total}`,
      podStatusReason(pod),
      podRestarts(pod, now),
      age(pod, now),
      none(pod.status?.podIP),
      none(pod.spec?.nodeName),
      none(pod.status?.nominatedNodeName),
      podReadinessGates(pod),
    ];
  },
};

const WORKLOAD_WIDE = [
  column('Containers', 'string', 'Names of each container in the template.', 1),
  column(
    'Images',
    'string',
    'Images referenced by each container in the template.',
    1,
  ),
  column('Selector', 'string', 'Label selector for pods.', 1),
];

const deploymentPrinter: Printer = {
  columns: [
    NAME,
    column('Ready', 'string', 'Number of the pod with ready state'),
    column(
      'Up-to-date',
      'integer',
      'Total number of non-terminated pods targeted by this deployment that have the desired template spec.',
    ),
    column(
      'Available',
      'integer',
      'Total number of available pods (ready for at least minReadySeconds) targeted by this deployment.',
    ),
    AGE,
    ...WORKLOAD_WIDE,
  ],
  cells(d, now) {
    const [containers, images] = containersAndImages(d.spec?.template?.spec);
    return [
      d.metadata.name,
      `${d.status?.readyReplicas ?? 0}/${d.spec?.replicas ?? 0}`,
      d.status?.updatedReplicas ?? 0,
      d.status?.availableReplicas ?? 0,
      age(d, now),
      containers,
      images,
      labelSelectorText(d.spec?.selector),
    ];
  },
};

const daemonSetPrinter: Printer = {
  columns: [
    NAME,
    column(
      'Desired',
      'integer',
      'The total number of nodes that should be running the daemon pod (including nodes correctly running the daemon pod).',
    ),
    column(
      'Current',
      'integer',
      'The number of nodes that are running at least 1 daemon pod and are supposed to run the daemon pod.',
    ),
    column(
      'Ready',
      'integer',
      'numberReady is the number of nodes that should be running the daemon pod and have one or more of the daemon pod running with a Ready Condition.',
    ),
    column(
      'Up-to-date',
      'integer',
      'The total number of nodes that are running updated daemon pod',
    ),
    column(
      'Available',
      'integer',
      'The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and available (ready for at least spec.minReadySeconds)',
    ),
    column(
      'Node Selector',
      'string',
      "NodeSelector is a selector which must be true for the pod to fit on a node. Selector which must match a node's labels for the pod to be scheduled on that node. More info: https://kubernetes.io/docs/concepts/configuration/assign-pod-node/",
    ),
    AGE,
    ...WORKLOAD_WIDE,
  ],
  cells(set, now) {
    const [containers, images] = containersAndImages(set.spec?.template?.spec);
    const status = set.status ?? {};
    return [
      set.metadata.name,
      status.desiredNumberScheduled ?? 0,
      status.currentNumberScheduled ?? 0,
      status.numberReady ?? 0,
      status.updatedNumberScheduled ?? 0,
      status.numberAvailable ?? 0,
      selectorText(set.spec?.template?.spec?.nodeSelector),
      age(set, now),
      containers,
      images,
      labelSelectorText(set.spec?.selector),
    ];
  },
};

/** kubectl's TARGETS column: `cpu: 12%/80%`, `memory: 10Mi/100Mi`, `<unknown>` before a reading. */
function hpaTargets(hpa: any): string {
  const metrics: any[] = hpa.spec?.metrics ?? [];
  if (!metrics.length) return '<none>';
  const current: any[] = hpa.status?.currentMetrics ?? [];
  const parts = metrics.slice(0, 3).map(metric => {
    if (metric.type !== 'Resource') return `<unknown>/<unknown>`;
    const name = metric.resource?.name;
    const target = metric.resource?.target ?? {};
    const reading = current.find(
      c => c.type === 'Resource' && c.resource?.name === name,
    )?.resource?.current;
    if (target.type === 'Utilization') {
      const value =
        reading?.averageUtilization === undefined
          ? '<unknown>'
          : `${reading.averageUtilization}%`;
      return `${name}: ${value}/${target.averageUtilization}%`;
    }
    return `${name}: ${reading?.averageValue ?? '<unknown>'}/${
      target.averageValue
    }`;
  });
  const more = metrics.length > 3 ? ` + ${metrics.length - 3} more...` : '';
  return parts.join(', ') + more;
}

const horizontalPodAutoscalerPrinter: Printer = {
  columns: [
    NAME,
    column(
      'Reference',
      'string',
      'scaleTargetRef points to the target resource to scale, and is used to the pods for which metrics should be collected, as well as to actually change the replica count.',
    ),
    column(
      'Targets',
      'string',
      'metrics contains the specifications for which to use to calculate the desired replica count (the maximum replica count across all metrics will be used).',
    ),
    column(
      'MinPods',
      'string',
      'minReplicas is the lower limit for the number of replicas to which the autoscaler can scale down.',
    ),
    column(
      'MaxPods',
      'integer',
      'maxReplicas is the upper limit for the number of replicas to which the autoscaler can scale up.',
    ),
    column(
      'Replicas',
      'integer',
      'currentReplicas is current number of replicas of pods managed by this autoscaler, as last seen by the autoscaler.',
    ),
    AGE,
  ],
  cells(hpa, now) {
    const ref = hpa.spec?.scaleTargetRef ?? {};
    return [
      hpa.metadata.name,
      `${ref.kind}/${ref.name}`,
      hpaTargets(hpa),
      hpa.spec?.minReplicas === undefined
        ? '<unset>'
        : String(hpa.spec.minReplicas),
      hpa.spec?.maxReplicas ?? 0,
      hpa.status?.currentReplicas ?? 0,
      age(hpa, now),
    ];
  },
};

const ingressPrinter: Printer = {
  columns: [
    NAME,
    column('Class', 'string', 'The name of the IngressClass resource.'),
    column(
      'Hosts',
      'string',
      'Hosts that incoming requests are matched against before the ingress rule',
    ),
    column(
      'Address',
      'string',
      'Address is a list containing ingress points for the load-balancer',
    ),
    column('Ports', 'string', 'Ports of TLS configurations that open'),
    AGE,
  ],
  cells(ingress, now) {
    const hosts = (ingress.spec?.rules ?? [])
      .map((r: any) => r.host)
      .filter(Boolean);
    const addresses = (ingress.status?.loadBalancer?.ingress ?? []).map(
      (i: any) => i.ip || i.hostname,
    );
    return [
      ingress.metadata.name,
      ingress.spec?.ingressClassName ?? '<none>',
      hosts.length ? firstThree(hosts) : '*',
      addresses.join(','),
      ingress.spec?.tls?.length ? '80, 443' : '80',
      age(ingress, now),
    ];
  },
};

const ingressClassPrinter: Printer = {
  columns: [
    NAME,
    column(
      'Controller',
      'string',
      'Controller that is responsible for handling this class',
    ),
    column(
      'Parameters',
      'string',
      'A reference to a resource with additional parameters',
    ),
    AGE,
  ],
  cells(ingressClass, now) {
    const p = ingressClass.spec?.parameters;
    return [
      ingressClass.metadata.name,
      ingressClass.spec?.controller ?? '',
      p ? `${p.kind}/${p.name}` : '<none>',
      age(ingressClass, now),
    ];
  },
};

const networkPolicyPrinter: Printer = {
  columns: [
    NAME,
    column(
      'Pod-Selector',
      'string',
      'Selects the pods to which this NetworkPolicy object applies.',
    ),
    AGE,
  ],
  cells(policy, now) {
    return [
      policy.metadata.name,
      formatLabelSelector(policy.spec?.podSelector) || '<none>',
      age(policy, now),
    ];
  },
};

const podDisruptionBudgetPrinter: Printer = {
  columns: [
    NAME,
    column(
      'Min Available',
      'string',
      'The minimum number of pods that must be available.',
    ),
    column(
      'Max Unavailable',
      'string',
      'The maximum number of pods that may be unavailable.',
    ),
    column(
      'Allowed Disruptions',
      'integer',
      'Calculated number of pods that may be disrupted at this time.',
    ),
    AGE,
  ],
  cells(pdb, now) {
    const text = (value: unknown) =>
      value === undefined || value === null ? 'N/A' : String(value);
    return [
      pdb.metadata.name,
      text(pdb.spec?.minAvailable),
      text(pdb.spec?.maxUnavailable),
      pdb.status?.disruptionsAllowed ?? 0,
      age(pdb, now),
    ];
  },
};

const statefulSetPrinter: Printer = {
  columns: [
    NAME,
    column('Ready', 'string', 'Number of the pod with ready state'),
    AGE,
    ...WORKLOAD_WIDE.slice(0, 2),
  ],
  cells(set, now) {
    const [containers, images] = containersAndImages(set.spec?.template?.spec);
    return [
      set.metadata.name,
      `${set.status?.readyReplicas ?? 0}/${set.spec?.replicas ?? 0}`,
      age(set, now),
      containers,
      images,
    ];
  },
};

const hasCondition = (object: any, type: string) =>
  (object.status?.conditions ?? []).some(
    (c: any) => c.type === type && c.status === 'True',
  );

function jobStatus(job: any): string {
  if (hasCondition(job, 'Complete')) return 'Complete';
  if (hasCondition(job, 'Failed')) return 'Failed';
  if (job.metadata.deletionTimestamp) return 'Terminating';
  if (hasCondition(job, 'SuccessCriteriaMet')) return 'SuccessCriteriaMet';
  if (hasCondition(job, 'FailureTarget')) return 'FailureTarget';
  if (hasCondition(job, 'Suspended')) return 'Suspended';
  return 'Running';
}

function jobCompletions(job: any): string {
  const succeeded = job.status?.succeeded ?? 0;
  if (job.spec?.completions !== undefined)
    return `${succeeded}/${job.spec.completions}`;
  const parallelism = job.spec?.parallelism ?? 1;
  return parallelism > 1
    ? `${succeeded}/1 of ${parallelism}`
    : `${succeeded}/1`;
}

function jobDuration(job: any, now: number): string {
  const start = job.status?.startTime;
  if (!start) return '';
  const end = job.status?.completionTime;
  return humanDuration((end ? Date.parse(end) : now) - Date.parse(start));
}

const jobPrinter: Printer = {
  columns: [
    NAME,
    column(
      'Status',
      'string',
      'Status of the job execution: Complete, Failed, Running, Suspended or Terminating.',
    ),
    column(
      'Completions',
      'string',
      'The desired number of successfully finished pods the job should be run with.',
    ),
    column('Duration', 'string', 'Time required to complete the job.'),
    AGE,
    ...WORKLOAD_WIDE,
  ],
  cells(job, now) {
    const [containers, images] = containersAndImages(job.spec?.template?.spec);
    return [
      job.metadata.name,
      jobStatus(job),
      jobCompletions(job),
      jobDuration(job, now),
      age(job, now),
      containers,
      images,
      labelSelectorText(job.spec?.selector),
    ];
  },
};

/** kubectl's printBoolPtr: `<unset>`, `True` or `False`. */
function boolPointer(value: boolean | undefined): string {
  if (value === undefined) return '<unset>';
  return value ? 'True' : 'False';
}

const cronJobPrinter: Printer = {
  columns: [
    NAME,
    column('Schedule', 'string', 'The schedule in Cron format.'),
    column('Timezone', 'string', 'The time zone name for the given schedule.'),
    column(
      'Suspend',
      'boolean',
      'This flag tells the controller to suspend subsequent executions.',
    ),
    column(
      'Active',
      'integer',
      'A list of pointers to currently running jobs.',
    ),
    column(
      'Last Schedule',
      'string',
      'Information when was the last time the job was successfully scheduled.',
    ),
    AGE,
    ...WORKLOAD_WIDE,
  ],
  cells(cronJob, now) {
    const jobSpec = cronJob.spec?.jobTemplate?.spec;
    const [containers, images] = containersAndImages(jobSpec?.template?.spec);
    const suspend = cronJob.spec?.suspend;
    return [
      cronJob.metadata.name,
      cronJob.spec?.schedule ?? '',
      none(cronJob.spec?.timeZone),
      boolPointer(suspend),
      (cronJob.status?.active ?? []).length,
      cronJob.status?.lastScheduleTime
        ? ageSince(cronJob.status.lastScheduleTime, now)
        : '<none>',
      age(cronJob, now),
      containers,
      images,
      labelSelectorText(jobSpec?.selector),
    ];
  },
};

const replicaSetPrinter: Printer = {
  columns: [
    NAME,
    column('Desired', 'integer', 'Number of desired pods.'),
    column('Current', 'integer', 'Number of actual running pods.'),
    column('Ready', 'integer', 'Number of ready pods.'),
    AGE,
    ...WORKLOAD_WIDE,
  ],
  cells(rs, now) {
    const [containers, images] = containersAndImages(rs.spec?.template?.spec);
    return [
      rs.metadata.name,
      rs.spec?.replicas ?? 0,
      rs.status?.replicas ?? 0,
      rs.status?.readyReplicas ?? 0,
      age(rs, now),
      containers,
      images,
      labelSelectorText(rs.spec?.selector),
    ];
  },
};

function nodeStatus(node: any): string {
  const conditions: any[] = node.status?.conditions ?? [];
  const ready = conditions.find(c => c.type === 'Ready');
  let readiness = 'Unknown';
  if (ready) readiness = ready.status === 'True' ? 'Ready' : 'NotReady';
  const states = [readiness];
  if (node.spec?.unschedulable) states.push('SchedulingDisabled');
  return states.join(',');
}

function nodeRoles(node: any): string {
  const roles = new Set<string>();
  for (const [key, value] of Object.entries<string>(
    node.metadata.labels ?? {},
  )) {
    if (key.startsWith('node-role.kubernetes.io/')) {
      const role = key.slice('node-role.kubernetes.io/'.length);
      if (role) roles.add(role);
    } else if (key === 'kubernetes.io/role' && value) roles.add(value);
  }
  return roles.size ? [...roles].sort().join(',') : '<none>';
}

function nodeAddress(node: any, type: string): string {
  return none(
    (node.status?.addresses ?? []).find((a: any) => a.type === type)?.address,
  );
}

const nodePrinter: Printer = {
  columns: [
    NAME,
    column('Status', 'string', 'The status of the node'),
    column('Roles', 'string', 'The roles of the node'),
    AGE,
    column('Version', 'string', 'Kubelet Version reported by the node.'),
    column(
      'Internal-IP',
      'string',
      'List of addresses reachable to the node.',
      1,
    ),
    column(
      'External-IP',
      'string',
      'List of addresses reachable to the node.',
      1,
    ),
    column(
      'OS-Image',
      'string',
      'OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy)).',
      1,
    ),
    column(
      'Kernel-Version',
      'string',
      "Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64).",
      1,
    ),
    column(
      'Container-Runtime',
      'string',
      'ContainerRuntime Version reported by the node through runtime remote API (e.g. containerd://1.4.2).',
      1,
    ),
  ],
  cells(node, now) {
    const info = node.status?.nodeInfo ?? {};
    return [
      node.metadata.name,
      nodeStatus(node),
      nodeRoles(node),
      age(node, now),
      info.kubeletVersion ?? '',
      nodeAddress(node, 'InternalIP'),
      nodeAddress(node, 'ExternalIP'),
      none(info.osImage),
      none(info.kernelVersion),
      none(info.containerRuntimeVersion),
    ];
  },
};

function serviceExternalIp(svc: any): string {
  const type = svc.spec?.type ?? 'ClusterIP';
  const external: string[] = svc.spec?.externalIPs ?? [];
  switch (type) {
    case 'ClusterIP':
    case 'NodePort':
      return external.length ? external.join(',') : '<none>';
    case 'LoadBalancer': {
      const ingress: string[] = (svc.status?.loadBalancer?.ingress ?? []).map(
        (i: any) => i.ip || i.hostname,
      );
      const all = [...ingress, ...external];
      return all.length ? all.join(',') : '<pending>';
    }
    case 'ExternalName':
      return svc.spec?.externalName ?? '<none>';
    default:
      return '<unknown>';
  }
}

function servicePorts(svc: any): string {
  const ports: any[] = svc.spec?.ports ?? [];
  if (!ports.length) return '<none>';
  return ports
    .map(p => {
      const protocol = p.protocol ?? 'TCP';
      return p.nodePort
        ? `${p.port}:${p.nodePort}/${protocol}`
        : `${p.port}/${protocol}`;
    })
    .join(',');
}

const servicePrinter: Printer = {
  columns: [
    NAME,
    column('Type', 'string', 'type determines how the Service is exposed.'),
    column(
      'Cluster-IP',
      'string',
      'clusterIP is the IP address of the service and is usually assigned randomly.',
    ),
    column(
      'External-IP',
      'string',
      'externalIPs is a list of IP addresses for which nodes in the cluster will also accept traffic for this service.',
    ),
    column(
      'Port(s)',
      'string',
      'The list of ports that are exposed by this service.',
    ),
    AGE,
    column(
      'Selector',
      'string',
      'Route service traffic to pods with label keys and values matching this selector.',
      1,
    ),
  ],
  cells(svc, now) {
    return [
      svc.metadata.name,
      svc.spec?.type ?? 'ClusterIP',
      none(svc.spec?.clusterIP),
      serviceExternalIp(svc),
      servicePorts(svc),
      age(svc, now),
      selectorText(svc.spec?.selector),
    ];
  },
};

const namespacePrinter: Printer = {
  columns: [
    NAME,
    column('Status', 'string', 'The status of the namespace'),
    AGE,
  ],
  cells: (ns, now) => [ns.metadata.name, ns.status?.phase ?? '', age(ns, now)],
};

const dataCount = (o: any) =>
  Object.keys(o.data ?? {}).length + Object.keys(o.binaryData ?? {}).length;

const configMapPrinter: Printer = {
  columns: [
    NAME,
    column('Data', 'integer', 'Data contains the configuration data.'),
    AGE,
  ],
  cells: (cm, now) => [cm.metadata.name, dataCount(cm), age(cm, now)],
};

const secretPrinter: Printer = {
  columns: [
    NAME,
    column('Type', 'string', 'The type of the secret'),
    column('Data', 'integer', 'The number of entries in the secret'),
    AGE,
  ],
  cells: (s, now) => [
    s.metadata.name,
    s.type ?? 'Opaque',
    dataCount(s),
    age(s, now),
  ],
};

function eventLastSeen(e: any, now: number): string {
  if (e.series?.lastObservedTime)
    return ageSince(e.series.lastObservedTime, now);
  if (e.lastTimestamp) return ageSince(e.lastTimestamp, now);
  if (e.eventTime) return ageSince(e.eventTime, now);
  return '<unknown>';
}

const eventPrinter: Printer = {
  columns: [
    column(
      'Last Seen',
      'string',
      'Time when last event from this source was observed.',
    ),
    column(
      'Type',
      'string',
      'Type of this event (Normal, Warning), new types could be added in the future.',
    ),
    column(
      'Reason',
      'string',
      'This should be a short, machine understandable string that gives the reason for this event being generated.',
    ),
    column('Object', 'string', 'The object that this event is about.'),
    column('Subobject', 'string', 'The subobject that this event is about.', 1),
    column('Source', 'string', 'The component reporting this event.', 1),
    column(
      'Message',
      'string',
      'A human-readable description of the status of this operation.',
    ),
    column(
      'First Seen',
      'string',
      'The time at which the event was first recorded.',
      1,
    ),
    column(
      'Count',
      'string',
      'The number of times this event has occurred.',
      1,
    ),
    column('Name', 'string', NAME_DESCRIPTION, 1, 'name'),
  ],
  cells(e, now) {
    const involved = e.involvedObject ?? {};
    const source = e.source?.component
      ? [e.source.component, e.source.host].filter(Boolean).join(', ')
      : e.reportingComponent ?? '';
    const firstTime = e.firstTimestamp ?? e.eventTime;
    const firstSeen = firstTime ? ageSince(firstTime, now) : '<unknown>';
    const count = e.series ? e.series.count : e.count ?? 1;
    return [
      eventLastSeen(e, now),
      e.type ?? '',
      e.reason ?? '',
      `${String(involved.kind ?? '').toLowerCase()}/${involved.name ?? ''}`,
      involved.fieldPath ?? '',
      source,
      String(e.message ?? '').trim(),
      firstSeen,
      String(count),
      e.metadata.name,
    ];
  },
};

const serviceAccountPrinter: Printer = {
  columns: [
    NAME,
    column(
      'Secrets',
      'string',
      'Secrets is a list of the secrets in the same namespace that pods running using this ServiceAccount are allowed to use.',
    ),
    AGE,
  ],
  cells: (sa, now) => [
    sa.metadata.name,
    (sa.secrets ?? []).length,
    age(sa, now),
  ],
};

function endpointsText(endpoints: any): string {
  const addresses: string[] = [];
  let total = 0;
  for (const subset of endpoints.subsets ?? []) {
    for (const address of subset.addresses ?? []) {
      for (const port of subset.ports?.length ? subset.ports : [undefined]) {
        total++;
        if (addresses.length < 3)
          addresses.push(port ? `${address.ip}:${port.port}` : address.ip);
      }
    }
  }
  if (!total) return '<none>';
  return total > 3
    ? `${addresses.join(',')} + ${total - 3} more...`
    : addresses.join(',');
}

const endpointsPrinter: Printer = {
  columns: [
    NAME,
    column('Endpoints', 'string', 'Endpoints of the service'),
    AGE,
  ],
  cells: (ep, now) => [ep.metadata.name, endpointsText(ep), age(ep, now)],
};

/** kube-apiserver's listWithMoreString: three items, then "+ N more...". */
function firstThree(items: string[]): string {
  if (!items.length) return '<unset>';
  const shown = items.slice(0, 3).join(',');
  return items.length > 3 ? `${shown} + ${items.length - 3} more...` : shown;
}

const endpointSlicePrinter: Printer = {
  columns: [
    NAME,
    column(
      'AddressType',
      'string',
      'addressType specifies the type of address carried by this EndpointSlice.',
    ),
    column(
      'Ports',
      'string',
      'ports specifies the list of network ports exposed by each endpoint in this slice.',
    ),
    column(
      'Endpoints',
      'string',
      'endpoints is a list of unique endpoints in this slice.',
    ),
    AGE,
  ],
  cells: (slice, now) => [
    slice.metadata.name,
    slice.addressType ?? '',
    firstThree(
      (slice.ports ?? []).map((p: any) =>
        p.port !== undefined ? String(p.port) : p.name ?? '*',
      ),
    ),
    firstThree((slice.endpoints ?? []).flatMap((e: any) => e.addresses ?? [])),
    age(slice, now),
  ],
};

const priorityClassPrinter: Printer = {
  columns: [
    NAME,
    column(
      'Value',
      'integer',
      'value represents the integer value of this priority class.',
    ),
    column(
      'Global-Default',
      'boolean',
      'globalDefault specifies whether this PriorityClass should be considered as the default priority for pods that do not have any priority class.',
    ),
    AGE,
    column(
      'PreemptionPolicy',
      'string',
      'preemptionPolicy is the Policy for preempting pods with lower priority.',
    ),
  ],
  cells: (pc, now) => [
    pc.metadata.name,
    pc.value ?? 0,
    Boolean(pc.globalDefault),
    age(pc, now),
    pc.preemptionPolicy ?? '',
  ],
};

const leasePrinter: Printer = {
  columns: [NAME, column('Holder', 'string', 'Name of the Lease holder'), AGE],
  cells: (lease, now) => [
    lease.metadata.name,
    lease.spec?.holderIdentity ?? '',
    age(lease, now),
  ],
};

function subjectsOfKind(binding: any, kind: string): string {
  const names = (binding.subjects ?? [])
    .filter((s: any) => s.kind === kind)
    .map((s: any) =>
      kind === 'ServiceAccount' ? `${s.namespace ?? ''}/${s.name}` : s.name,
    );
  return names.join(', ');
}

const roleBindingPrinter: Printer = {
  columns: [
    NAME,
    column('Role', 'string', 'Role is the role being granted'),
    AGE,
    column('Users', 'string', 'Users in the roleBinding', 1),
    column('Groups', 'string', 'Groups in the roleBinding', 1),
    column(
      'ServiceAccounts',
      'string',
      'ServiceAccounts in the roleBinding',
      1,
    ),
  ],
  cells: (rb, now) => [
    rb.metadata.name,
    `${rb.roleRef?.kind}/${rb.roleRef?.name}`,
    age(rb, now),
    subjectsOfKind(rb, 'User'),
    subjectsOfKind(rb, 'Group'),
    subjectsOfKind(rb, 'ServiceAccount'),
  ],
};

const storageClassPrinter: Printer = {
  columns: [
    NAME,
    column('Provisioner', 'string', 'Indicates the type of the provisioner.'),
    column(
      'ReclaimPolicy',
      'string',
      'Indicates the type of the reclaim policy.',
    ),
    column(
      'VolumeBindingMode',
      'string',
      'Indicates when volume binding and dynamic provisioning should occur.',
    ),
    column(
      'AllowVolumeExpansion',
      'string',
      'Indicates whether the storage class allow volume expand.',
    ),
    AGE,
  ],
  cells(sc, now) {
    const isDefault =
      sc.metadata.annotations?.[
        'storageclass.kubernetes.io/is-default-class'
      ] === 'true';
    return [
      isDefault ? `${sc.metadata.name} (default)` : sc.metadata.name,
      sc.provisioner ?? '',
      sc.reclaimPolicy ?? 'Delete',
      sc.volumeBindingMode ?? 'Immediate',
      String(sc.allowVolumeExpansion ?? false),
      age(sc, now),
    ];
  },
};

function quotaUsage(quota: any, prefix: 'limits.' | 'requests'): string {
  const hard = quota.status?.hard ?? quota.spec?.hard ?? {};
  const used = quota.status?.used ?? {};
  return Object.keys(hard)
    .filter(name =>
      prefix === 'limits.'
        ? name.startsWith('limits.')
        : !name.startsWith('limits.'),
    )
    .sort()
    .map(name => `${name}: ${used[name] ?? '0'}/${hard[name]}`)
    .join(', ');
}

const resourceQuotaPrinter: Printer = {
  columns: [
    NAME,
    AGE,
    column(
      'Request',
      'string',
      'Request represents a minimum amount of cpu/memory that a container may consume.',
    ),
    column(
      'Limit',
      'string',
      'Limits control the maximum amount of cpu/memory that a container may use independent of contention on the node.',
    ),
  ],
  cells: (quota, now) => [
    quota.metadata.name,
    age(quota, now),
    quotaUsage(quota, 'requests'),
    quotaUsage(quota, 'limits.'),
  ],
};

const persistentVolumeClaimPrinter: Printer = {
  columns: [
    NAME,
    column('Status', 'string', 'Status of the persistent volume claim.'),
    column(
      'Volume',
      'string',
      'VolumeName is the binding reference to the PersistentVolume backing this claim.',
    ),
    column('Capacity', 'string', 'Capacity of the persistent volume claim.'),
    column(
      'Access Modes',
      'string',
      'AccessModes contains the desired access modes the volume should have.',
    ),
    column(
      'StorageClass',
      'string',
      'StorageClassName of the persistent volume claim.',
    ),
    column(
      'VolumeAttributesClass',
      'string',
      'VolumeAttributesClass of the persistent volume claim.',
    ),
    AGE,
    column(
      'VolumeMode',
      'string',
      'VolumeMode of the persistent volume claim.',
      1,
    ),
  ],
  cells(pvc, now) {
    const bound = pvc.status?.phase === 'Bound';
    return [
      pvc.metadata.name,
      pvc.metadata.deletionTimestamp ? 'Terminating' : pvc.status?.phase ?? '',
      pvc.spec?.volumeName ?? '',
      bound ? pvc.status?.capacity?.storage ?? '' : '',
      bound ? accessModes(pvc.status?.accessModes) : '',
      pvc.spec?.storageClassName ?? '',
      none(pvc.spec?.volumeAttributesClassName),
      age(pvc, now),
      pvc.spec?.volumeMode ?? '',
    ];
  },
};

const persistentVolumePrinter: Printer = {
  columns: [
    NAME,
    column(
      'Capacity',
      'string',
      "Capacity is the description of the persistent volume's resources and capacity.",
    ),
    column(
      'Access Modes',
      'string',
      'AccessModes contains all ways the volume can be mounted.',
    ),
    column(
      'Reclaim Policy',
      'string',
      'What happens to a persistent volume when released from its claim.',
    ),
    column(
      'Status',
      'string',
      'Phase indicates if a volume is available, bound to a claim, or released by a claim.',
    ),
    column(
      'Claim',
      'string',
      'ClaimRef is part of a bi-directional binding between PersistentVolume and PersistentVolumeClaim.',
    ),
    column(
      'StorageClass',
      'string',
      'StorageClassName is the name of StorageClass to which this persistent volume belongs.',
    ),
    column(
      'VolumeAttributesClass',
      'string',
      'VolumeAttributesClassName of the persistent volume.',
    ),
    column(
      'Reason',
      'string',
      'Reason is a brief CamelCase string that describes any failure and is meant for machine parsing and tidy display in the CLI.',
    ),
    AGE,
    column('VolumeMode', 'string', 'VolumeMode of the persistent volume.', 1),
  ],
  cells(pv, now) {
    const claim = pv.spec?.claimRef;
    return [
      pv.metadata.name,
      pv.spec?.capacity?.storage ?? '',
      accessModes(pv.spec?.accessModes),
      pv.spec?.persistentVolumeReclaimPolicy ?? '',
      pv.metadata.deletionTimestamp ? 'Terminating' : pv.status?.phase ?? '',
      claim ? `${claim.namespace}/${claim.name}` : '',
      pv.spec?.storageClassName ?? '',
      none(pv.spec?.volumeAttributesClassName),
      pv.status?.reason ?? '',
      age(pv, now),
      pv.spec?.volumeMode ?? '',
    ];
  },
};

const controllerRevisionPrinter: Printer = {
  columns: [
    NAME,
    column('Controller', 'string', 'Controller of the object.'),
    column(
      'Revision',
      'integer',
      'Revision indicates the revision of the state represented by Data.',
    ),
    AGE,
  ],
  cells(revision, now) {
    const owner = (revision.metadata.ownerReferences ?? []).find(
      (ref: any) => ref.controller,
    );
    let controller = '<none>';
    if (owner) {
      const group = String(owner.apiVersion ?? '').includes('/')
        ? `.${owner.apiVersion.split('/')[0]}`
        : '';
      controller = `${String(owner.kind).toLowerCase()}${group}/${owner.name}`;
    }
    return [
      revision.metadata.name,
      controller,
      revision.revision ?? 0,
      age(revision, now),
    ];
  },
};

/** kubectl's short access modes: RWO, ROX, RWX, RWOP. */
function accessModes(modes: string[] | undefined): string {
  const short: Record<string, string> = {
    ReadWriteOnce: 'RWO',
    ReadOnlyMany: 'ROX',
    ReadWriteMany: 'RWX',
    ReadWriteOncePod: 'RWOP',
  };
  return (modes ?? []).map(m => short[m] ?? m).join(',');
}

const defaultPrinter: Printer = {
  columns: [NAME, column('Created At', 'date', AGE_DESCRIPTION)],
  cells: o => [o.metadata.name, o.metadata.creationTimestamp ?? null],
};

const BUILTIN_PRINTERS: Record<string, Printer> = {
  '/pods': podPrinter,
  'apps/deployments': deploymentPrinter,
  'apps/replicasets': replicaSetPrinter,
  'apps/statefulsets': statefulSetPrinter,
  'apps/daemonsets': daemonSetPrinter,
  'policy/poddisruptionbudgets': podDisruptionBudgetPrinter,
  'networking.k8s.io/ingresses': ingressPrinter,
  'networking.k8s.io/ingressclasses': ingressClassPrinter,
  'networking.k8s.io/networkpolicies': networkPolicyPrinter,
  'autoscaling/horizontalpodautoscalers': horizontalPodAutoscalerPrinter,
  'batch/jobs': jobPrinter,
  'batch/cronjobs': cronJobPrinter,
  '/nodes': nodePrinter,
  '/services': servicePrinter,
  '/namespaces': namespacePrinter,
  '/configmaps': configMapPrinter,
  '/secrets': secretPrinter,
  '/events': eventPrinter,
  '/serviceaccounts': serviceAccountPrinter,
  '/endpoints': endpointsPrinter,
  '/resourcequotas': resourceQuotaPrinter,
  '/persistentvolumeclaims': persistentVolumeClaimPrinter,
  '/persistentvolumes': persistentVolumePrinter,
  'apps/controllerrevisions': controllerRevisionPrinter,
  'coordination.k8s.io/leases': leasePrinter,
  'discovery.k8s.io/endpointslices': endpointSlicePrinter,
  'scheduling.k8s.io/priorityclasses': priorityClassPrinter,
  'rbac.authorization.k8s.io/rolebindings': roleBindingPrinter,
  'rbac.authorization.k8s.io/clusterrolebindings': roleBindingPrinter,
  'storage.k8s.io/storageclasses': storageClassPrinter,
};

/** A printer cell of a CRD column, typed as the apiextensions table convertor does. */
function customCell(
  printerColumn: PrinterColumn,
  steps: ReturnType<typeof parseJsonPath>,
  object: unknown,
  now: number,
): Cell {
  const values = evaluateJsonPath(steps, object);
  if (!values.length) return null;
  const value = values[0];
  switch (printerColumn.type) {
    case 'date':
      return typeof value === 'string' ? ageSince(value, now) : null;
    case 'integer':
      return typeof value === 'number' ? Math.trunc(value) : null;
    case 'number':
      return typeof value === 'number' ? value : null;
    case 'boolean':
      return typeof value === 'boolean' ? value : null;
    default:
      return typeof value === 'object' ? JSON.stringify(value) : String(value);
  }
}

function customPrinter(columns: PrinterColumn[]): Printer {
  const effective = columns.length
    ? columns
    : [{ name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' }];
  const parsed = effective.map(c => parseJsonPath(c.jsonPath));
  return {
    columns: [
      NAME,
      ...effective.map(c =>
        column(
          c.name,
          c.type,
          c.description ?? '',
          c.priority ?? 0,
          c.format ?? '',
        ),
      ),
    ],
    cells: (o, now) => [
      o.metadata.name,
      ...effective.map((c, i) => customCell(c, parsed[i], o, now)),
    ],
  };
}

export function printerFor(type: ResourceType): Printer {
  if (type.custom) return customPrinter(type.custom.printerColumns);
  return BUILTIN_PRINTERS[`${type.group}/${type.plural}`] ?? defaultPrinter;
}

export type IncludeObject = 'None' | 'Metadata' | 'Object';

function rowObject(object: KubeObject, include: IncludeObject) {
  if (include === 'None') return undefined;
  if (include === 'Object') return object;
  return {
    kind: 'PartialObjectMetadata',
    apiVersion: 'meta.k8s.io/v1',
    metadata: object.metadata,
  };
}

export function buildTable(
  type: ResourceType,
  objects: KubeObject[],
  options: {
    includeObject: IncludeObject;
    listMeta: Record<string, unknown>;
    withColumns?: boolean;
    now?: number;
  },
) {
  const printer = printerFor(type);
  const now = options.now ?? Date.now();
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: options.listMeta,
    columnDefinitions: options.withColumns === false ? null : printer.columns,
    rows: objects.map(o => {
      const row: Record<string, unknown> = { cells: printer.cells(o, now) };
      const obj = rowObject(o, options.includeObject);
      if (obj) row.object = obj;
      return row;
    }),
  };
}

/**
 * A row's object as JSON (PartialObjectMetadata, cached per stored metadata
 * object, which a write replaces rather than changes; or the whole object,
 * cached by `encodeObject`).
 */
const partialMetadataJson = new WeakMap<object, string>();

function rowObjectJson(
  object: KubeObject,
  include: IncludeObject,
): string | undefined {
  if (include === 'None') return undefined;
  if (include === 'Object') return encodeObject(object);
  const metadata = object.metadata;
  let json = partialMetadataJson.get(metadata);
  if (json === undefined) {
    json = JSON.stringify(rowObject(object, include));
    partialMetadataJson.set(metadata, json);
  }
  return json;
}

/**
 * `JSON.stringify(buildTable(type, objects, options))`, the same text, with
 * each row's object encoded once per object version rather than per request
 * (the cells, whose ages change with the time, are computed every time).
 */
export function encodeTable(
  type: ResourceType,
  objects: KubeObject[],
  options: Parameters<typeof buildTable>[2],
): string {
  const printer = printerFor(type);
  const now = options.now ?? Date.now();
  const parts: string[] = [
    `{"kind":"Table","apiVersion":"meta.k8s.io/v1","metadata":${JSON.stringify(
      options.listMeta,
    )},"columnDefinitions":${JSON.stringify(
      options.withColumns === false ? null : printer.columns,
    )},"rows":[`,
  ];
  for (let i = 0; i < objects.length; i++) {
    const o = objects[i];
    const cells = JSON.stringify(printer.cells(o, now));
    const obj = rowObjectJson(o, options.includeObject);
    parts.push(
      `${i > 0 ? ',' : ''}{"cells":${cells}${
        obj === undefined ? '' : `,"object":${obj}`
      }}`,
    );
  }
  parts.push(']}');
  return parts.join('');
}
