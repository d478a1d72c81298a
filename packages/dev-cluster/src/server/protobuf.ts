import { badRequest } from './status';

/*
 * Decoding of request bodies in Kubernetes' protobuf encoding
 * (application/vnd.kubernetes.protobuf): client-go's generated clients send
 * built-in objects this way (kubectl create namespace/deployment/…, auth
 * can-i, create token), whatever the server prefers. The body is the magic
 * "k8s\0" and a runtime.Unknown envelope holding the object's message.
 *
 * The message table covers what those clients send; a field outside it is
 * rejected rather than dropped. Field numbers and JSON names are those of the
 * Kubernetes API's generated.proto definitions.
 */

export const PROTOBUF_CONTENT_TYPE = 'application/vnd.kubernetes.protobuf';

/**
 * Field kinds: s string, b bool, i32/i64 integers, bytes (base64 in JSON),
 * a message name, `{V}` a map from string to V; a trailing `[]` repeats,
 * a trailing `?` drops the zero value (Go omitempty on a non-pointer field),
 * a leading `^` inlines the message's fields into the parent (Go embedding).
 */
const MESSAGES: Record<string, string> = {
  Unknown:
    '1 typeMeta RuntimeTypeMeta; 2 raw bytes; 3 contentEncoding s; 4 contentType s',
  RuntimeTypeMeta: '1 apiVersion s; 2 kind s',
  Time: '1 seconds i64; 2 nanos i32',
  Quantity: '1 string s',
  IntOrString: '1 type i64; 2 intVal i32; 3 strVal s',
  ObjectMeta:
    '1 name s; 2 generateName s; 3 namespace s; 4 selfLink s; 5 uid s; 6 resourceVersion s; 7 generation i64?; 8 creationTimestamp Time; 9 deletionTimestamp Time; 10 deletionGracePeriodSeconds i64; 11 labels {s}; 12 annotations {s}; 13 ownerReferences OwnerReference[]; 14 finalizers s[]; 17 managedFields ManagedFieldsEntry[]',
  OwnerReference:
    '1 kind s; 3 name s; 4 uid s; 5 apiVersion s; 6 controller b; 7 blockOwnerDeletion b',
  ManagedFieldsEntry:
    '1 manager s; 2 operation s; 3 apiVersion s; 4 time Time; 6 fieldsType s; 7 fieldsV1 FieldsV1; 8 subresource s',
  FieldsV1: '1 Raw bytes',
  LabelSelector:
    '1 matchLabels {s}; 2 matchExpressions LabelSelectorRequirement[]',
  LabelSelectorRequirement: '1 key s; 2 operator s; 3 values s[]',
  DeleteOptions:
    '1 gracePeriodSeconds i64; 2 preconditions Preconditions; 3 orphanDependents b; 4 propagationPolicy s; 5 dryRun s[]; 6 ignoreStoreReadErrorWithClusterBreakingPotential b',
  Preconditions: '1 uid s; 2 resourceVersion s',

  Namespace: '1 metadata ObjectMeta; 2 spec NamespaceSpec; 3 status Status',
  NamespaceSpec: '1 finalizers s[]',
  ConfigMap:
    '1 metadata ObjectMeta; 2 data {s}; 3 binaryData {bytes}; 4 immutable b',
  Secret:
    '1 metadata ObjectMeta; 2 data {bytes}; 3 type s; 4 stringData {s}; 5 immutable b',
  ServiceAccount:
    '1 metadata ObjectMeta; 2 secrets ObjectReference[]; 3 imagePullSecrets LocalObjectReference[]; 4 automountServiceAccountToken b',
  ObjectReference:
    '1 kind s; 2 namespace s; 3 name s; 4 uid s; 5 apiVersion s; 6 resourceVersion s; 7 fieldPath s',
  LocalObjectReference: '1 name s',
  Service: '1 metadata ObjectMeta; 2 spec ServiceSpec; 3 status Status',
  ServiceSpec:
    '1 ports ServicePort[]; 2 selector {s}; 3 clusterIP s; 4 type s; 5 externalIPs s[]; 7 sessionAffinity s; 8 loadBalancerIP s; 9 loadBalancerSourceRanges s[]; 10 externalName s; 11 externalTrafficPolicy s; 12 healthCheckNodePort i32?; 13 publishNotReadyAddresses b?; 17 ipFamilyPolicy s; 18 clusterIPs s[]; 19 ipFamilies s[]; 20 allocateLoadBalancerNodePorts b; 21 loadBalancerClass s; 22 internalTrafficPolicy s; 23 trafficDistribution s',
  ServicePort:
    '1 name s; 2 protocol s; 3 port i32?; 4 targetPort IntOrString; 5 nodePort i32?; 6 appProtocol s',
  ResourceQuota:
    '1 metadata ObjectMeta; 2 spec ResourceQuotaSpec; 3 status Status',
  ResourceQuotaSpec: '1 hard {Quantity}; 2 scopes s[]',
  Pod: '1 metadata ObjectMeta; 2 spec PodSpec; 3 status Status',
  PodTemplateSpec: '1 metadata ObjectMeta; 2 spec PodSpec',
  PodSpec:
    '1 volumes Volume[]; 2 containers Container[]; 3 restartPolicy s; 4 terminationGracePeriodSeconds i64; 5 activeDeadlineSeconds i64; 6 dnsPolicy s; 7 nodeSelector {s}; 8 serviceAccountName s; 9 serviceAccount s; 10 nodeName s; 11 hostNetwork b?; 12 hostPID b?; 13 hostIPC b?; 14 securityContext PodSecurityContext; 15 imagePullSecrets LocalObjectReference[]; 16 hostname s; 17 subdomain s; 19 schedulerName s; 20 initContainers Container[]; 21 automountServiceAccountToken b; 22 tolerations Toleration[]; 24 priorityClassName s; 25 priority i32; 27 shareProcessNamespace b; 28 readinessGates PodReadinessGate[]; 29 runtimeClassName s; 30 enableServiceLinks b; 31 preemptionPolicy s; 35 setHostnameAsFQDN b; 37 hostUsers b; 38 schedulingGates PodSchedulingGate[]',
  PodReadinessGate: '1 conditionType s',
  PodSchedulingGate: '1 name s',
  Container:
    '1 name s; 2 image s; 3 command s[]; 4 args s[]; 5 workingDir s; 6 ports ContainerPort[]; 7 env EnvVar[]; 8 resources ResourceRequirements; 9 volumeMounts VolumeMount[]; 10 livenessProbe Probe; 11 readinessProbe Probe; 13 terminationMessagePath s; 14 imagePullPolicy s; 16 stdin b?; 17 stdinOnce b?; 18 tty b?; 19 envFrom EnvFromSource[]; 20 terminationMessagePolicy s; 22 startupProbe Probe; 24 restartPolicy s',
  PodSecurityContext:
    '2 runAsUser i64; 3 runAsNonRoot b; 4 supplementalGroups i64[]; 5 fsGroup i64; 6 runAsGroup i64; 9 fsGroupChangePolicy s',
  Volume: '1 name s; 2 ^volumeSource VolumeSource',
  VolumeSource:
    '1 hostPath HostPathVolumeSource; 2 emptyDir EmptyDirVolumeSource; 6 secret SecretVolumeSource; 10 persistentVolumeClaim PersistentVolumeClaimVolumeSource; 19 configMap ConfigMapVolumeSource',
  HostPathVolumeSource: '1 path s; 2 type s',
  EmptyDirVolumeSource: '1 medium s; 2 sizeLimit Quantity',
  SecretVolumeSource:
    '1 secretName s; 2 items KeyToPath[]; 3 defaultMode i32; 4 optional b',
  ConfigMapVolumeSource:
    '1 ^localObjectReference LocalObjectReference; 2 items KeyToPath[]; 3 defaultMode i32; 4 optional b',
  PersistentVolumeClaimVolumeSource: '1 claimName s; 2 readOnly b?',
  KeyToPath: '1 key s; 2 path s; 3 mode i32',
  VolumeMount:
    '1 name s; 2 readOnly b?; 3 mountPath s; 4 subPath s; 5 mountPropagation s; 6 subPathExpr s; 7 recursiveReadOnly s',
  Probe:
    '1 ^handler ProbeHandler; 2 initialDelaySeconds i32?; 3 timeoutSeconds i32; 4 periodSeconds i32; 5 successThreshold i32; 6 failureThreshold i32; 7 terminationGracePeriodSeconds i64',
  ProbeHandler:
    '1 exec ExecAction; 2 httpGet HTTPGetAction; 3 tcpSocket TCPSocketAction; 4 grpc GRPCAction',
  ExecAction: '1 command s[]',
  HTTPGetAction:
    '1 path s; 2 port IntOrString; 3 host s; 4 scheme s; 5 httpHeaders HTTPHeader[]',
  HTTPHeader: '1 name s; 2 value s',
  TCPSocketAction: '1 port IntOrString; 2 host s',
  GRPCAction: '1 port i32; 2 service s',
  ContainerPort:
    '1 name s; 2 hostPort i32?; 3 containerPort i32?; 4 protocol s; 5 hostIP s',
  EnvVar: '1 name s; 2 value s; 3 valueFrom EnvVarSource',
  EnvVarSource:
    '1 fieldRef ObjectFieldSelector; 2 resourceFieldRef ResourceFieldSelector; 3 configMapKeyRef KeySelector; 4 secretKeyRef KeySelector',
  ObjectFieldSelector: '1 apiVersion s; 2 fieldPath s',
  ResourceFieldSelector: '1 containerName s; 2 resource s; 3 divisor Quantity',
  KeySelector:
    '1 ^localObjectReference LocalObjectReference; 2 key s; 3 optional b',
  EnvFromSource: '1 prefix s; 2 configMapRef EnvSource; 3 secretRef EnvSource',
  EnvSource: '1 ^localObjectReference LocalObjectReference; 2 optional b',
  ResourceRequirements:
    '1 limits {Quantity}; 2 requests {Quantity}; 3 claims ResourceClaim[]',
  ResourceClaim: '1 name s; 2 request s',
  Toleration:
    '1 key s; 2 operator s; 3 value s; 4 effect s; 5 tolerationSeconds i64',
  Deployment: '1 metadata ObjectMeta; 2 spec DeploymentSpec; 3 status Status',
  DeploymentSpec:
    '1 replicas i32; 2 selector LabelSelector; 3 template PodTemplateSpec; 4 strategy DeploymentStrategy; 5 minReadySeconds i32?; 6 revisionHistoryLimit i32; 7 paused b?; 9 progressDeadlineSeconds i32',
  DeploymentStrategy: '1 type s; 2 rollingUpdate RollingUpdateDeployment',
  RollingUpdateDeployment:
    '1 maxUnavailable IntOrString; 2 maxSurge IntOrString',
  Job: '1 metadata ObjectMeta; 2 spec JobSpec; 3 status Status',
  JobSpec:
    '1 parallelism i32; 2 completions i32; 3 activeDeadlineSeconds i64; 4 selector LabelSelector; 5 manualSelector b; 6 template PodTemplateSpec; 7 backoffLimit i32; 8 ttlSecondsAfterFinished i32; 9 completionMode s; 10 suspend b; 11 podFailurePolicy PodFailurePolicy; 12 backoffLimitPerIndex i32; 13 maxFailedIndexes i32; 14 podReplacementPolicy s; 16 managedBy s',
  PodFailurePolicy: '1 rules PodFailurePolicyRule[]',
  PodFailurePolicyRule:
    '1 action s; 2 onExitCodes PodFailurePolicyOnExitCodesRequirement; 3 onPodConditions PodFailurePolicyOnPodConditionsPattern[]',
  PodFailurePolicyOnExitCodesRequirement:
    '1 containerName s; 2 operator s; 3 values i32[]',
  PodFailurePolicyOnPodConditionsPattern: '1 type s; 2 status s',
  CronJob: '1 metadata ObjectMeta; 2 spec CronJobSpec; 3 status Status',
  CronJobSpec:
    '1 schedule s; 2 startingDeadlineSeconds i64; 3 concurrencyPolicy s; 4 suspend b; 5 jobTemplate JobTemplateSpec; 6 successfulJobsHistoryLimit i32; 7 failedJobsHistoryLimit i32; 8 timeZone s',
  JobTemplateSpec: '1 metadata ObjectMeta; 2 spec JobSpec',
  Eviction: '1 metadata ObjectMeta; 2 deleteOptions DeleteOptions',
  // autoscaling/v1, as kubectl autoscale sends it.
  HorizontalPodAutoscaler:
    '1 metadata ObjectMeta; 2 spec HorizontalPodAutoscalerSpec; 3 status Status',
  HorizontalPodAutoscalerSpec:
    '1 scaleTargetRef CrossVersionObjectReference; 2 minReplicas i32; 3 maxReplicas i32; 4 targetCPUUtilizationPercentage i32',
  CrossVersionObjectReference: '1 kind s; 2 name s; 3 apiVersion s',
  Ingress: '1 metadata ObjectMeta; 2 spec IngressSpec; 3 status Status',
  IngressSpec:
    '1 defaultBackend IngressBackend; 2 tls IngressTLS[]; 3 rules IngressRule[]; 4 ingressClassName s',
  IngressBackend:
    '3 resource TypedLocalObjectReference; 4 service IngressServiceBackend',
  TypedLocalObjectReference: '1 apiGroup s; 2 kind s; 3 name s',
  IngressServiceBackend: '1 name s; 2 port ServiceBackendPort',
  ServiceBackendPort: '1 name s; 2 number i32?',
  IngressTLS: '1 hosts s[]; 2 secretName s',
  IngressRule: '1 host s; 2 ^ingressRuleValue IngressRuleValue',
  IngressRuleValue: '1 http HTTPIngressRuleValue',
  HTTPIngressRuleValue: '1 paths HTTPIngressPath[]',
  HTTPIngressPath: '1 path s; 2 backend IngressBackend; 3 pathType s',
  Role: '1 metadata ObjectMeta; 2 rules PolicyRule[]',
  ClusterRole:
    '1 metadata ObjectMeta; 2 rules PolicyRule[]; 3 aggregationRule AggregationRule',
  PolicyRule:
    '1 verbs s[]; 2 apiGroups s[]; 3 resources s[]; 4 resourceNames s[]; 5 nonResourceURLs s[]',
  AggregationRule: '1 clusterRoleSelectors LabelSelector[]',
  RoleBinding: '1 metadata ObjectMeta; 2 subjects Subject[]; 3 roleRef RoleRef',
  ClusterRoleBinding:
    '1 metadata ObjectMeta; 2 subjects Subject[]; 3 roleRef RoleRef',
  Subject: '1 kind s; 2 apiGroup s; 3 name s; 4 namespace s',
  RoleRef: '1 apiGroup s; 2 kind s; 3 name s',
  TokenRequest:
    '1 metadata ObjectMeta; 2 spec TokenRequestSpec; 3 status Status',
  TokenRequestSpec:
    '1 audiences s[]; 3 boundObjectRef BoundObjectReference; 4 expirationSeconds i64',
  BoundObjectReference: '1 kind s; 2 apiVersion s; 3 name s; 4 uid s',
  SelfSubjectReview: '1 metadata ObjectMeta; 2 status Status',
  SelfSubjectAccessReview:
    '1 metadata ObjectMeta; 2 spec SelfSubjectAccessReviewSpec; 3 status Status',
  SelfSubjectAccessReviewSpec:
    '1 resourceAttributes ResourceAttributes; 2 nonResourceAttributes NonResourceAttributes',
  ResourceAttributes:
    '1 namespace s; 2 verb s; 3 group s; 4 version s; 5 resource s; 6 subresource s; 7 name s; 8 fieldSelector SelectorAttributes; 9 labelSelector SelectorAttributes',
  SelectorAttributes: '1 rawSelector s',
  NonResourceAttributes: '1 path s; 2 verb s',
  SelfSubjectRulesReview:
    '1 metadata ObjectMeta; 2 spec SelfSubjectRulesReviewSpec; 3 status Status',
  SelfSubjectRulesReviewSpec: '1 namespace s',
  PriorityClass:
    '1 metadata ObjectMeta; 2 value i32; 3 globalDefault b?; 4 description s; 5 preemptionPolicy s',
  // Clients never send status; any they do is dropped by the status rules anyway.
  Status: '',
};

/** The top-level message of each kind the decoder accepts. */
const KINDS = new Set([
  'Namespace',
  'ConfigMap',
  'Secret',
  'ServiceAccount',
  'Service',
  'ResourceQuota',
  'Pod',
  'Deployment',
  'Job',
  'CronJob',
  'Eviction',
  'HorizontalPodAutoscaler',
  'Ingress',
  'Role',
  'ClusterRole',
  'RoleBinding',
  'ClusterRoleBinding',
  'PriorityClass',
  'TokenRequest',
  'SelfSubjectReview',
  'SelfSubjectAccessReview',
  'SelfSubjectRulesReview',
  'DeleteOptions',
]);

interface FieldSpec {
  name: string;
  type: string;
  repeated: boolean;
  map: boolean;
  omitZero: boolean;
  inline: boolean;
}

const SCHEMA = new Map<string, Map<number, FieldSpec>>();
for (const [message, text] of Object.entries(MESSAGES)) {
  const fields = new Map<number, FieldSpec>();
  for (const decl of text
    .split(';')
    .map(d => d.trim())
    .filter(Boolean)) {
    const [num, rawName, rawType] = decl.split(/\s+/);
    let type = rawType;
    const omitZero = type.endsWith('?');
    if (omitZero) type = type.slice(0, -1);
    const repeated = type.endsWith('[]');
    if (repeated) type = type.slice(0, -2);
    const map = type.startsWith('{');
    if (map) type = type.slice(1, -1);
    const inline = rawName.startsWith('^');
    fields.set(Number(num), {
      name: inline ? rawName.slice(1) : rawName,
      type,
      repeated,
      map,
      omitZero,
      inline,
    });
  }
  SCHEMA.set(message, fields);
}

class Reader {
  pos = 0;
  constructor(readonly buf: Buffer, readonly end = buf.length) {}

  varint(): bigint {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      if (this.pos >= this.end) throw new Error('truncated varint');
      const byte = this.buf[this.pos++];
      result |= BigInt(byte & 0x7f) << shift;
      if (!(byte & 0x80)) return result;
      shift += 7n;
    }
  }

  bytes(): Buffer {
    const length = Number(this.varint());
    if (this.pos + length > this.end)
      throw new Error('truncated length-delimited field');
    const out = this.buf.subarray(this.pos, this.pos + length);
    this.pos += length;
    return out;
  }

  skip(wireType: number) {
    if (wireType === 0) this.varint();
    else if (wireType === 1) this.pos += 8;
    else if (wireType === 2) this.bytes();
    else if (wireType === 5) this.pos += 4;
    else throw new Error(`unsupported wire type ${wireType}`);
  }
}

function toInt(value: bigint, bits: 32 | 64): number {
  return Number(BigInt.asIntN(bits, value));
}

function decodeScalar(type: string, wireType: number, reader: Reader): unknown {
  switch (type) {
    case 's':
      return reader.bytes().toString('utf8');
    case 'bytes':
      return reader.bytes().toString('base64');
    case 'b':
      return reader.varint() !== 0n;
    case 'i32':
      return toInt(reader.varint(), 32);
    case 'i64':
      return toInt(reader.varint(), 64);
    default:
      if (wireType !== 2)
        throw new Error(`field of type ${type} is not length-delimited`);
      return decodeMessage(type, reader.bytes());
  }
}

/** Well-known messages whose JSON form is not an object. */
function specialForm(type: string, value: Record<string, unknown>): unknown {
  switch (type) {
    case 'Time': {
      const seconds = Number(value.seconds ?? 0);
      return seconds === 0
        ? undefined
        : `${new Date(seconds * 1000).toISOString().slice(0, 19)}Z`;
    }
    case 'Quantity':
      return value.string ?? '';
    case 'IntOrString':
      return Number(value.type ?? 0) === 1
        ? value.strVal ?? ''
        : value.intVal ?? 0;
    case 'FieldsV1':
      return value.Raw
        ? JSON.parse(Buffer.from(String(value.Raw), 'base64').toString('utf8'))
        : {};
    default:
      return value;
  }
}

function decodeMessage(message: string, data: Buffer): unknown {
  const fields = SCHEMA.get(message);
  if (!fields) throw new Error(`message ${message} is not supported`);
  const reader = new Reader(data);
  const out: Record<string, any> = {};
  while (reader.pos < reader.end) {
    const tag = Number(reader.varint());
    const number = tag >>> 3;
    const wireType = tag & 7;
    const field = fields.get(number);
    if (!field) {
      if (message === 'Status') {
        reader.skip(wireType);
        continue;
      }
      throw new Error(
        `field ${number} of ${message} is not supported by the dev cluster`,
      );
    }
    if (field.map) {
      const entry = new Reader(reader.bytes());
      let key = '';
      let value: unknown;
      while (entry.pos < entry.end) {
        const entryTag = Number(entry.varint());
        if (entryTag >>> 3 === 1) key = entry.bytes().toString('utf8');
        else value = decodeScalar(field.type, entryTag & 7, entry);
      }
      (out[field.name] ??= {})[key] =
        value ?? (field.type === 's' ? '' : undefined);
      continue;
    }
    // Packed repeated scalars are not used by the Kubernetes messages above.
    const value = decodeScalar(field.type, wireType, reader);
    if (field.repeated) (out[field.name] ??= []).push(value);
    else out[field.name] = value;
  }
  for (const field of fields.values()) {
    const value = out[field.name];
    if (value === undefined) continue;
    if (
      (typeof value === 'string' && value === '' && field.type === 's') ||
      (field.omitZero && (value === 0 || value === false))
    ) {
      delete out[field.name];
    } else if (!field.repeated && !field.map && SCHEMA.has(field.type)) {
      const form = specialForm(field.type, value);
      if (form === undefined) delete out[field.name];
      else out[field.name] = form;
    } else if (field.repeated && SCHEMA.has(field.type)) {
      out[field.name] = value.map((v: Record<string, unknown>) =>
        specialForm(field.type, v),
      );
    } else if (field.map && SCHEMA.has(field.type)) {
      for (const key of Object.keys(value))
        value[key] = specialForm(field.type, value[key]);
    }
    if (
      field.inline &&
      out[field.name] &&
      typeof out[field.name] === 'object'
    ) {
      Object.assign(out, out[field.name]);
      delete out[field.name];
    }
  }
  return out;
}

const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

/** The JSON form of a protobuf-encoded request body. */
export function decodeProtobufObject(body: Buffer): Record<string, unknown> {
  if (body.length < 4 || !body.subarray(0, 4).equals(MAGIC)) {
    throw badRequest(
      'provided data does not appear to be a protobuf message, expected prefix [107 56 115 0]',
    );
  }
  let envelope: any;
  try {
    envelope = decodeMessage('Unknown', body.subarray(4));
  } catch (e) {
    throw badRequest(
      `unable to decode protobuf envelope: ${(e as Error).message}`,
    );
  }
  const kind = envelope.typeMeta?.kind ?? '';
  const apiVersion = envelope.typeMeta?.apiVersion ?? '';
  if (!KINDS.has(kind)) {
    throw badRequest(
      `the dev cluster does not decode ${
        kind || 'untyped'
      } objects from protobuf; send application/json`,
    );
  }
  try {
    const object = decodeMessage(
      kind,
      Buffer.from(envelope.raw ?? '', 'base64'),
    ) as Record<string, unknown>;
    return { kind, apiVersion, ...object };
  } catch (e) {
    throw badRequest(
      `unable to decode ${kind} from protobuf: ${(e as Error).message}`,
    );
  }
}
