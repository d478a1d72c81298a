import { STATUS_CODES } from 'node:http';
import https from 'node:https';
import type { Duplex } from 'node:stream';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { ClusterPki } from '../pki/certificates';
import { ObjectStore } from '../store/objectStore';
import type { KubeObject } from '../store/types';
import { serverSideApply } from './apply';
import { Authenticator, UserInfo } from './authentication';
import {
  AuthorizationAttributes,
  Authorizer,
  chainAuthorizers,
  forbiddenMessage,
  mastersAuthorizer,
} from './authorization';
import {
  decodeObjectBody,
  mediaType,
  parseJson,
  parseYamlBody,
  readBody,
} from './body';
import {
  aggregatedDiscovery,
  AGGREGATED_DISCOVERY_CONTENT_TYPE,
  apiGroupDocument,
  apiGroupList,
  apiResourceList,
  apiVersions,
  KUBERNETES_VERSION,
} from './discovery';
import { encodeList, encodeObject } from './encoding';
import { parseNonNegativeInt, parseResourceVersion } from './listOptions';
import { loopbackAddress, urlHost } from './loopback';
import {
  ACCEPTED_MEDIA_TYPES,
  includeObjectParam,
  negotiateDiscovery,
  negotiateResource,
  Representation,
} from './negotiation';
import { isPlainObject } from './objects';
import {
  APPLY_PATCH,
  applyJsonPatch,
  applyMergePatch,
  JSON_PATCH,
  MERGE_PATCH,
  STRATEGIC_MERGE_PATCH,
  StrategicMergePatcher,
} from './patch';
import {
  apiVersionOf,
  hasSubresource,
  ResourceRegistry,
  ResourceType,
  storageKey,
} from './registry';
import { applyFaults, FaultInjection } from './faults';
import { OpenApiDocuments } from './openapi';
import {
  acceptsOpenApiV2Protobuf,
  OPENAPI_V2_PROTOBUF,
} from './openapiProtobuf';
import { parseRequestInfo, RequestInfo } from './requestInfo';
import {
  DeleteOptions,
  groupResource,
  ownedBody,
  RequestContext,
  ResourceService,
} from './resources';
import {
  RulesResolver,
  selfSubjectAccessReview,
  selfSubjectReview,
  selfSubjectRulesReview,
  subjectAccessReview,
  tokenReview,
} from './reviews';
import {
  ApiError,
  badRequest,
  forbidden,
  internalError,
  invalid,
  methodNotAllowed,
  notAcceptable,
  notFound,
  notFoundPath,
  unauthorized,
  unsupportedMediaType,
} from './status';
import { impersonatedUser } from './impersonation';
import type { MutatingWebhookAdmission } from './admissionWebhooks';
import { AuditedRequest, AuditEvent, auditEvent } from './audit';
import { HealthEndpoint, healthChecks, healthReport } from './health';
import { evictPod } from './disruption';
import {
  applyScale,
  bindingStatus,
  bindPod,
  createTokenRequest,
  serviceAccountNotFound,
  toScale,
} from './subresources';
import { encodeTable } from './table';
import { ServiceAccountTokens, TokenClaims } from './tokens';
import { serveWatch } from './watch';

/** Compiles `labelSelector` / `fieldSelector` query values to predicates (machinery supplies it). */
export interface SelectorCompiler {
  /** Throws an ApiError (400) for a malformed selector. */
  labelSelector(
    selector: string,
  ): (labels: Record<string, string> | undefined) => boolean;
  /** Throws an ApiError (400) for a malformed selector or an unsupported field. */
  fieldSelector(
    type: ResourceType,
    selector: string,
  ): (object: KubeObject) => boolean;
}

/** Serves a connect-style subresource (log, exec, attach, …) for the runtime and kubelet. */
export type SubresourceHandler = (input: {
  req: IncomingMessage;
  res: ServerResponse;
  info: RequestInfo;
  user: UserInfo;
  url: URL;
  object: KubeObject;
}) => void | Promise<void>;

/** Serves a WebSocket upgrade of a subresource (exec, attach) once authorized. */
export type UpgradeHandler = (input: {
  req: IncomingMessage;
  socket: Duplex;
  head: Buffer;
  info: RequestInfo;
  user: UserInfo;
  object: KubeObject;
}) => void;

export interface ApiServerOptions {
  pki: ClusterPki;
  store: ObjectStore;
  registry: ResourceRegistry;
  /** Loopback only (default 127.0.0.1). */
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  /** How often watches with allowWatchBookmarks get a BOOKMARK (default 60 s). */
  bookmarkIntervalMs?: number;
  /** Watch duration when the client sets no timeoutSeconds (default 30 min). */
  defaultWatchTimeoutSeconds?: number;
}

const PATCH_TYPES = [
  JSON_PATCH,
  MERGE_PATCH,
  STRATEGIC_MERGE_PATCH,
  APPLY_PATCH,
];

/** The default field manager: the User-Agent's product name, as kube-apiserver derives it. */
function managerFromUserAgent(req: IncomingMessage): string {
  return (req.headers['user-agent'] ?? 'unknown').split('/')[0].slice(0, 128);
}

/** A request the server admitted: who sent it and what it is about. */
export interface AdmittedRequest {
  user: UserInfo;
  info: RequestInfo;
}

/** The warnings a request collected, by its response. */
const responseWarnings = new WeakMap<ServerResponse, string[]>();

/** The encoded list of a read-only resource's list, by the list its provider returned. */
const readOnlyListBytes = new WeakMap<KubeObject[], Buffer[]>();

/** What an authenticated request is, for its audit event. */
const auditedRequests = new WeakMap<IncomingMessage, AuditedRequest>();

export class ApiServer {
  readonly resources: ResourceService;
  readonly tokens: ServiceAccountTokens;
  private readonly sockets = new Set<Socket>();
  readonly authenticator: Authenticator;
  private readonly server: https.Server;
  private readonly authorizers: Authorizer[] = [mastersAuthorizer];
  private readonly authorizer = chainAuthorizers(this.authorizers);
  private readonly subresourceHandlers = new Map<string, SubresourceHandler>();
  /** Set once close() began: /readyz then fails its shutdown check. */
  private closing = false;
  private readonly readOnlyResources = new Map<
    string,
    (namespace: string | undefined) => KubeObject[]
  >();
  private readonly upgradeHandlers = new Map<string, UpgradeHandler>();
  private strategicMergePatch: StrategicMergePatcher | undefined;
  private selectors: SelectorCompiler | undefined;
  private webhooks: MutatingWebhookAdmission | undefined;
  private rulesResolver: RulesResolver | undefined;
  private faults: FaultInjection | undefined;
  private readonly requestListeners = new Set<
    (request: AdmittedRequest) => void
  >();
  private readonly auditListeners = new Set<(event: AuditEvent) => void>();
  private address = '';
  private readonly openApi: OpenApiDocuments;

  constructor(private readonly options: ApiServerOptions) {
    this.resources = new ResourceService(options.store);
    this.openApi = new OpenApiDocuments(options.registry);
    this.tokens = new ServiceAccountTokens(options.pki.serviceAccountKeyPem);
    this.authenticator = new Authenticator(this.tokens, claims =>
      this.tokenSubjectExists(claims),
    );
    this.server = https.createServer(
      {
        key: options.pki.serverKeyPem,
        cert: options.pki.serverCertPem,
        ca: options.pki.caCertPem,
        requestCert: true,
        // Token-authenticated clients send no certificate; the authenticator decides.
        rejectUnauthorized: false,
      },
      (req, res) => {
        const receivedAt = new Date();
        // 'close' also ends a watch the client dropped, which never finishes.
        res.once('close', () => this.audit(req, res.statusCode, receivedAt));
        this.handle(req, res).catch(e => this.writeError(res, e));
      },
    );
    this.server.keepAliveTimeout = 60_000;
    // Every socket, for close(): upgraded ones (exec, port-forward) and those
    // still in their TLS handshake are not the HTTP server's to close.
    this.server.on('connection', (socket: Socket) => {
      if (this.closing) {
        socket.destroy();
        return;
      }
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
    this.server.on('upgrade', (req, socket, head) =>
      this.handleUpgrade(req, socket, head),
    );
  }

  /**
   * WebSocket upgrades (exec, attach): authorized as `create` on the
   * subresource, as kube-apiserver authorizes streaming upgrades, then handed
   * to the subresource's upgrade handler.
   */
  private handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer) {
    const receivedAt = new Date();
    try {
      const url = new URL(req.url ?? '/', 'https://localhost');
      const { user, info } = this.admitRequest(req, url, 'create');
      const type = this.typeFor(info);
      const handler = this.upgradeHandlers.get(
        `${type.plural}/${info.subresource}`,
      );
      if (!handler || type.group) throw notFoundPath();
      const object = this.resources.get(type, info.namespace, info.name);
      this.audit(req, 101, receivedAt);
      handler({ req, socket, head, info, user, object });
    } catch (e) {
      const error = e instanceof ApiError ? e : internalError(e);
      this.audit(req, error.code, receivedAt);
      const body = JSON.stringify(error.status);
      socket.end(
        `HTTP/1.1 ${error.code} ${
          STATUS_CODES[error.code]
        }\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(
          body,
        )}\r\nConnection: close\r\n\r\n${body}`,
      );
    }
  }

  /** Serves WebSocket upgrades of `<resource>/<subresource>` of the core group (pods/exec, pods/attach). */
  setUpgradeHandler(
    resourceAndSubresource: string,
    handler: UpgradeHandler,
  ): void {
    this.upgradeHandlers.set(resourceAndSubresource, handler);
  }

  get registry(): ResourceRegistry {
    return this.options.registry;
  }

  get store(): ObjectStore {
    return this.options.store;
  }

  get url(): string {
    return this.address;
  }

  /** Adds an authorizer (RBAC) after the built-in ones; the first Allow or Deny wins. */
  addAuthorizer(authorizer: Authorizer): void {
    this.authorizers.push(authorizer);
  }

  authorize(attributes: AuthorizationAttributes) {
    return this.authorizer.authorize(attributes);
  }

  setStrategicMergePatch(patcher: StrategicMergePatcher): void {
    this.strategicMergePatch = patcher;
  }

  /** The MutatingAdmissionWebhook plugin, which creates through the API pass (async, so not in the admission chain). */
  setMutatingWebhooks(webhooks: MutatingWebhookAdmission): void {
    this.webhooks = webhooks;
  }

  setSelectorCompiler(selectors: SelectorCompiler): void {
    this.selectors = selectors;
  }

  /** Injects latency, failures and dropped watches (undefined: none). */
  setFaults(faults: FaultInjection | undefined): void {
    this.faults = faults;
  }

  /**
   * Calls `listener` with every request the server admits, e.g. for a test
   * to count one client's requests; returns the function that removes it.
   */
  onRequest(listener: (request: AdmittedRequest) => void): () => void {
    this.requestListeners.add(listener);
    return () => this.requestListeners.delete(listener);
  }

  /**
   * Calls `listener` with the audit event of every authenticated request,
   * allowed or refused, once it is answered (kube-apiserver's audit backend
   * at level Metadata); returns the function that removes it.
   */
  onAudit(listener: (event: AuditEvent) => void): () => void {
    this.auditListeners.add(listener);
    return () => this.auditListeners.delete(listener);
  }

  private audit(req: IncomingMessage, code: number, receivedAt: Date) {
    if (this.auditListeners.size === 0) return;
    // Unauthenticated requests have no user to record.
    const request = auditedRequests.get(req);
    if (!request) return;
    const event = auditEvent({ ...request, receivedAt }, code, new Date());
    for (const listener of this.auditListeners) listener(event);
  }

  setRulesResolver(resolver: RulesResolver): void {
    this.rulesResolver = resolver;
  }

  /** Serves get and list of a resource that is computed, not stored (metrics.k8s.io's), by `<group>/<plural>`. */
  setReadOnlyResource(
    key: string,
    provider: (namespace: string | undefined) => KubeObject[],
  ): void {
    this.readOnlyResources.set(key, provider);
  }

  /** Serves `<resource>/<subresource>` of the core group (e.g. `pods/log`). */
  setSubresourceHandler(
    resourceAndSubresource: string,
    handler: SubresourceHandler,
  ): void {
    this.subresourceHandlers.set(resourceAndSubresource, handler);
  }

  async listen(): Promise<string> {
    const host = loopbackAddress(this.options.host ?? '127.0.0.1');
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.options.port ?? 0, host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    const { port } = this.server.address() as AddressInfo;
    this.address = `https://${urlHost(host)}:${port}`;
    return this.address;
  }

  async close(): Promise<void> {
    this.closing = true;
    await new Promise<void>(resolve => {
      this.server.close(() => resolve());
      // Watches, exec sessions and port-forwards are long-lived, and a
      // client's watch may be reconnecting: end every socket rather than
      // wait for them.
      this.server.closeAllConnections();
      for (const socket of this.sockets) socket.destroy();
    });
  }

  private tokenSubjectExists(claims: TokenClaims): boolean {
    const k = claims['kubernetes.io'];
    const sa = this.store.get(
      '/serviceaccounts',
      `${k.namespace}/${k.serviceaccount.name}`,
    );
    if (!sa || sa.metadata.uid !== k.serviceaccount.uid) return false;
    if (k.pod) {
      const pod = this.store.get('/pods', `${k.namespace}/${k.pod.name}`);
      if (!pod || pod.metadata.uid !== k.pod.uid) return false;
    }
    if (k.secret) {
      const secret = this.store.get(
        '/secrets',
        `${k.namespace}/${k.secret.name}`,
      );
      if (!secret || secret.metadata.uid !== k.secret.uid) return false;
    }
    return true;
  }

  /**
   * Authenticates and authorizes a request; returns who sent it and what it
   * is about, or throws the 401/403 to answer.
   */
  private admitRequest(req: IncomingMessage, url: URL, verbOverride?: string) {
    const caller = this.authenticator.authenticate(req);
    if (!caller) throw unauthorized();
    const user = impersonatedUser(req.headers, caller, this.authorizer);
    const info = parseRequestInfo(
      req.method ?? 'GET',
      url.pathname,
      url.searchParams,
    );
    if (verbOverride) info.verb = verbOverride;
    const userAgent = req.headers['user-agent'];
    auditedRequests.set(req, {
      requestURI: req.url ?? '/',
      caller,
      user,
      info,
      sourceIP: req.socket.remoteAddress,
      ...(userAgent ? { userAgent } : {}),
      receivedAt: new Date(),
    });
    const attributes: AuthorizationAttributes = {
      user,
      verb: info.verb,
      isResourceRequest: info.isResourceRequest,
      path: info.path,
      apiGroup: info.apiGroup,
      apiVersion: info.apiVersion,
      resource: info.resource,
      subresource: info.subresource,
      namespace: info.namespace,
      name: info.name,
    };
    const decision = this.authorizer.authorize(attributes);
    if (decision.decision !== 'Allow') {
      const message = forbiddenMessage(attributes, decision.reason);
      if (!info.isResourceRequest)
        throw new ApiError(403, 'Forbidden', `forbidden: ${message}`, {});
      const gr = {
        group: info.apiGroup,
        resource: info.subresource
          ? `${info.resource}/${info.subresource}`
          : info.resource,
      };
      throw forbidden(gr, info.name || undefined, message);
    }
    return { user, info };
  }

  private async handle(
    req: IncomingMessage,
    res: ServerResponse,
  ): Promise<void> {
    const url = new URL(req.url ?? '/', 'https://localhost');
    const { user, info } = this.admitRequest(req, url);
    for (const listener of this.requestListeners) listener({ user, info });
    await applyFaults(this.faults, info);
    if (!info.isResourceRequest) {
      this.serveNonResource(req, res, url);
      return;
    }
    await this.serveResource(req, res, info, user, url);
  }

  private serveNonResource(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
  ) {
    const path = url.pathname.replace(/\/+$/, '') || '/';
    const registry = this.registry;
    if (req.method !== 'GET' && req.method !== 'HEAD') throw notFoundPath();
    const health = /^\/(livez|readyz|healthz)(?:\/(.+))?$/.exec(path);
    if (health) {
      const endpoint = health[1] as HealthEndpoint;
      const report = healthReport(
        endpoint,
        healthChecks(() => this.closing)[endpoint],
        health[2],
        url.searchParams,
      );
      if (!report) throw notFoundPath();
      res.writeHead(report.status, {
        'Content-Type': 'text/plain; charset=utf-8',
        'X-Content-Type-Options': 'nosniff',
      });
      res.end(report.body);
      return;
    }
    if (path === '/version') {
      this.writeJson(res, 200, KUBERNETES_VERSION);
      return;
    }
    if (path === '/api' || path === '/apis') {
      const representation = negotiateDiscovery(req.headers.accept);
      if (!representation) throw notAcceptable(ACCEPTED_MEDIA_TYPES);
      if (representation.kind === 'aggregatedDiscovery') {
        this.writeJson(
          res,
          200,
          aggregatedDiscovery(registry, path === '/api'),
          AGGREGATED_DISCOVERY_CONTENT_TYPE,
        );
      } else {
        const host = `${
          url.hostname === 'localhost' ? '127.0.0.1' : url.hostname
        }`;
        this.writeJson(
          res,
          200,
          path === '/api'
            ? apiVersions(
                `${host}:${(this.server.address() as AddressInfo).port}`,
              )
            : apiGroupList(registry),
        );
      }
      return;
    }
    const parts = path.split('/').filter(Boolean);
    let document: unknown;
    if (parts[0] === 'api' && parts.length === 2)
      document = apiResourceList(registry, '', parts[1]);
    if (parts[0] === 'apis' && parts.length === 2)
      document = apiGroupDocument(registry, parts[1]);
    if (parts[0] === 'apis' && parts.length === 3) {
      document = apiResourceList(registry, parts[1], parts[2]);
    }
    if (parts[0] === 'openapi') {
      if (
        path === '/openapi/v2' &&
        acceptsOpenApiV2Protobuf(req.headers.accept)
      ) {
        this.writeRaw(
          res,
          200,
          [this.openApi.swaggerProtobuf()],
          OPENAPI_V2_PROTOBUF,
        );
        return;
      }
      if (parts[1] === 'v2' && !negotiateResource(req.headers.accept))
        throw notAcceptable([...ACCEPTED_MEDIA_TYPES, OPENAPI_V2_PROTOBUF]);
      document = this.openApi.serve(parts.slice(1));
    }
    if (!document) throw notFoundPath();
    this.writeJson(res, 200, document);
  }

  private typeFor(info: RequestInfo): ResourceType {
    const type = this.registry.find(
      info.apiGroup,
      info.apiVersion,
      info.resource,
    );
    if (!type) throw notFoundPath();
    if (!type.namespaced && info.namespace) throw notFoundPath();
    if (
      type.namespaced &&
      !info.namespace &&
      (info.name || info.verb === 'create')
    ) {
      throw notFoundPath();
    }
    if (info.subresource && !hasSubresource(type, info.subresource))
      throw notFoundPath();
    return type;
  }

  private async serveResource(
    req: IncomingMessage,
    res: ServerResponse,
    info: RequestInfo,
    user: UserInfo,
    url: URL,
  ) {
    const type = this.typeFor(info);
    const query = url.searchParams;
    const ctx: RequestContext = {
      user,
      dryRun: parseDryRun(query.getAll('dryRun')),
      fieldValidation: parseFieldValidation(query.get('fieldValidation')),
      warnings: [],
      fieldManager: query.get('fieldManager') || managerFromUserAgent(req),
    };
    responseWarnings.set(res, ctx.warnings!);
    const gr = groupResource(type);
    const sub = info.subresource;
    const subVerbs = sub
      ? type.subresources.find(s => s.name === sub)!.verbs
      : type.verbs;
    const verbAllowed =
      subVerbs.includes(info.verb) ||
      (info.verb === 'watch' && subVerbs.includes('get') && !sub);
    if (!verbAllowed) throw methodNotAllowed(gr, verbAction(info.verb));

    const handler = this.subresourceHandlers.get(`${type.plural}/${sub}`);
    if (sub && handler && !type.group) {
      const object = this.resources.get(type, info.namespace, info.name);
      await handler({ req, res, info, user, url, object });
      return;
    }
    if (!type.stored && info.verb !== 'create') {
      this.serveReadOnly(res, type, info, url);
      return;
    }
    if (!type.stored) {
      await this.serveReview(req, res, type, info, user);
      return;
    }
    const representation =
      info.verb === 'get' || info.verb === 'list' || info.verb === 'watch'
        ? negotiateResource(req.headers.accept)
        : negotiateResource(req.headers.accept) ?? { kind: 'json' as const };
    if (!representation) throw notAcceptable(ACCEPTED_MEDIA_TYPES);

    switch (sub) {
      case '':
        await this.serveMain(req, res, type, info, ctx, url, representation);
        return;
      case 'status':
      case 'ephemeralcontainers':
      case 'finalize':
        await this.serveObjectSubresource(req, res, type, info, ctx);
        return;
      case 'scale':
        await this.serveScale(req, res, type, info, ctx);
        return;
      case 'token': {
        const body = decodeObjectBody(req, await readBody(req));
        const sa = this.store.get(
          '/serviceaccounts',
          `${info.namespace}/${info.name}`,
        );
        if (!sa) throw serviceAccountNotFound(info.name);
        const ref = (body as any)?.spec?.boundObjectRef;
        let bound: KubeObject | undefined;
        if (ref) {
          const plural =
            ({ Pod: 'pods', Secret: 'secrets' } as Record<string, string>)[
              ref.kind
            ] ?? '';
          if (!plural)
            throw badRequest(`cannot bind token to object of type ${ref.kind}`);
          bound = this.store.get(`/${plural}`, `${info.namespace}/${ref.name}`);
          if (!bound) throw notFound({ group: '', resource: plural }, ref.name);
          if (ref.uid && ref.uid !== bound.metadata.uid) {
            throw new ApiError(
              409,
              'Conflict',
              `the UID in the bound object reference (${ref.uid}) does not match the UID in record. The object might have been deleted and then recreated`,
            );
          }
        }
        this.writeJson(
          res,
          201,
          createTokenRequest(this.tokens, sa, body, bound),
        );
        return;
      }
      case 'eviction': {
        const body = decodeObjectBody(req, await readBody(req));
        evictPod(
          this.store,
          this.registry,
          this.resources,
          info.namespace,
          info.name,
          body,
          ctx,
        );
        this.writeJson(res, 201, {
          kind: 'Status',
          apiVersion: 'v1',
          metadata: {},
          status: 'Success',
          code: 201,
        });
        return;
      }
      case 'binding': {
        const body = decodeObjectBody(req, await readBody(req));
        const pod = this.resources.get(type, info.namespace, info.name);
        const next = bindPod(pod, body);
        this.resources.write(
          type,
          info.namespace,
          info.name,
          'binding',
          pod,
          next,
          ctx,
        );
        this.writeJson(res, 201, bindingStatus());
        return;
      }
      default:
        throw new ApiError(
          503,
          'ServiceUnavailable',
          `${type.plural}/${sub} is not served: no component of the dev cluster handles it`,
        );
    }
  }

  private async serveMain(
    req: IncomingMessage,
    res: ServerResponse,
    type: ResourceType,
    info: RequestInfo,
    ctx: RequestContext,
    url: URL,
    representation: Representation,
  ) {
    const query = url.searchParams;
    const { namespace, name } = info;
    switch (info.verb) {
      case 'get': {
        const object = this.resources.get(type, namespace, name);
        this.writeObjects(
          res,
          200,
          type,
          representation,
          query,
          [object],
          undefined,
        );
        return;
      }
      case 'list': {
        const result = this.resources.list(type, {
          namespace,
          limit: parseNonNegativeInt('limit', query.get('limit')),
          continueToken: query.get('continue') ?? undefined,
          resourceVersion: validResourceVersion(query.get('resourceVersion')),
          resourceVersionMatch: query.get('resourceVersionMatch') ?? undefined,
          filter: this.filterFor(type, query, name),
        });
        this.writeObjects(
          res,
          200,
          type,
          representation,
          query,
          result.items,
          result.metadata,
        );
        return;
      }
      case 'watch':
        this.serveWatchRequest(res, type, info, url, representation);
        return;
      case 'create': {
        const decoded = ownedBody(decodeObjectBody(req, await readBody(req)));
        const body = this.webhooks
          ? await this.webhooks.admitCreate(type, namespace, decoded, ctx)
          : decoded;
        const created = this.resources.create(type, namespace, body, ctx);
        this.writeObjects(
          res,
          201,
          type,
          representation,
          query,
          [created],
          undefined,
        );
        return;
      }
      case 'update': {
        const body = ownedBody(decodeObjectBody(req, await readBody(req)));
        const updated = this.resources.update(
          type,
          namespace,
          name,
          '',
          body,
          ctx,
        );
        this.writeObjects(
          res,
          200,
          type,
          representation,
          query,
          [updated],
          undefined,
        );
        return;
      }
      case 'patch': {
        const body = await readBody(req);
        const patched = this.patch(req, type, info, ctx, query, body);
        this.writeObjects(
          res,
          patched.created ? 201 : 200,
          type,
          representation,
          query,
          [patched.object],
          undefined,
        );
        return;
      }
      case 'delete': {
        const options = deleteOptions(req, await readBody(req), query);
        const outcome = this.resources.delete(
          type,
          namespace,
          name,
          options,
          ctx,
        );
        if (outcome.kind === 'status') this.writeJson(res, 200, outcome.status);
        else
          this.writeObjects(
            res,
            outcome.code,
            type,
            representation,
            query,
            [outcome.object],
            undefined,
          );
        return;
      }
      case 'deletecollection': {
        const options = deleteOptions(req, await readBody(req), query);
        const { items } = this.resources.list(type, {
          namespace,
          filter: this.filterFor(type, query, ''),
        });
        const deleted: KubeObject[] = [];
        for (const item of items) {
          const outcome = this.resources.delete(
            type,
            item.metadata.namespace ?? '',
            item.metadata.name!,
            options,
            ctx,
          );
          deleted.push(outcome.kind === 'object' ? outcome.object : item);
        }
        this.writeObjects(res, 200, type, { kind: 'json' }, query, deleted, {
          resourceVersion: String(this.store.resourceVersion),
        });
        return;
      }
      default:
        throw methodNotAllowed(groupResource(type), verbAction(info.verb));
    }
  }

  private filterFor(type: ResourceType, query: URLSearchParams, name: string) {
    const predicates: Array<(o: KubeObject) => boolean> = [];
    const labelSelector = query.get('labelSelector');
    const fieldSelector = query.get('fieldSelector');
    if ((labelSelector || fieldSelector) && !this.selectors) {
      throw badRequest(
        'label and field selectors are not available: the selector module is not installed',
      );
    }
    if (labelSelector) {
      const matches = this.selectors!.labelSelector(labelSelector);
      predicates.push(o => matches(o.metadata.labels));
    }
    if (fieldSelector)
      predicates.push(this.selectors!.fieldSelector(type, fieldSelector));
    // A watch on one object (GET .../pods/x?watch=1) is a watch filtered by name.
    if (name) predicates.push(o => o.metadata.name === name);
    if (!predicates.length) return undefined;
    return (o: KubeObject) => predicates.every(p => p(o));
  }

  private serveWatchRequest(
    res: ServerResponse,
    type: ResourceType,
    info: RequestInfo,
    url: URL,
    representation: Representation,
  ) {
    const query = url.searchParams;
    const rv = validResourceVersion(query.get('resourceVersion'));
    const timeoutSeconds = parseNonNegativeInt(
      'timeoutSeconds',
      query.get('timeoutSeconds'),
    );
    const defaultTimeout = this.options.defaultWatchTimeoutSeconds ?? 1800;
    const sendInitialEvents = query.get('sendInitialEvents') === 'true';
    if (
      sendInitialEvents &&
      query.get('resourceVersionMatch') !== 'NotOlderThan'
    ) {
      throw invalid({ group: 'meta.k8s.io', kind: 'ListOptions' }, '', [
        {
          reason: 'FieldValueForbidden',
          message:
            "Forbidden: sendInitialEvents is forbidden for watch unless resourceVersionMatch is set to 'NotOlderThan'",
          field: 'resourceVersionMatch',
        },
      ]);
    }
    const includeObject = includeObjectParam(query.get('includeObject'));
    const filter = this.filterFor(type, query, info.name);
    serveWatch(this.store, res, {
      type,
      namespace: type.namespaced && info.namespace ? info.namespace : undefined,
      sinceResourceVersion:
        sendInitialEvents || rv === undefined ? undefined : Number(rv),
      filter,
      allowBookmarks: ['1', 'true'].includes(
        query.get('allowWatchBookmarks') ?? '',
      ),
      sendInitialEvents,
      timeoutMs: Math.min(
        (timeoutSeconds && timeoutSeconds > 0
          ? timeoutSeconds
          : defaultTimeout) * 1000,
        this.faults?.dropWatchesAfterMs ?? Infinity,
      ),
      bookmarkIntervalMs: this.options.bookmarkIntervalMs ?? 60_000,
      // Custom resources (and built-in kinds with several versions) are
      // served at each version from one stored object, so the cached
      // encoding is per version too.
      representation: `${
        representation.kind === 'table'
          ? `table:${includeObject}`
          : representation.kind
      }${this.resources.conversion.versioned(type) ? `@${type.version}` : ''}`,
      encodeObject: object => {
        if (representation.kind === 'table') {
          return encodeTable(
            type,
            [
              type.custom
                ? this.resources.conversion.served(type, object)
                : object,
            ],
            {
              includeObject,
              listMeta: {},
            },
          );
        }
        if (representation.kind === 'partialMetadata') {
          return JSON.stringify(partialObjectMetadata(object));
        }
        return encodeObject(this.resources.conversion.served(type, object));
      },
    });
  }

  /** Writes one object (items.length 1, listMeta undefined) or a list in the representation. */
  private writeObjects(
    res: ServerResponse,
    code: number,
    type: ResourceType,
    representation: Representation,
    query: URLSearchParams,
    items: KubeObject[],
    listMeta: Record<string, unknown> | undefined,
  ) {
    const served = this.resources.conversion.versioned(type)
      ? items.map(o => this.resources.conversion.served(type, o))
      : items;
    if (representation.kind === 'table') {
      // Built-in kinds print from the stored version, as kube-apiserver
      // prints from its internal one.
      const table = encodeTable(type, type.custom ? served : items, {
        includeObject: includeObjectParam(query.get('includeObject')),
        listMeta: listMeta ?? {
          resourceVersion: items[0]?.metadata.resourceVersion,
        },
      });
      this.writeRaw(res, code, table);
      return;
    }
    if (representation.kind === 'partialMetadata') {
      if (!listMeta) {
        this.writeJson(res, code, partialObjectMetadata(served[0]));
      } else {
        this.writeJson(res, code, {
          kind: 'PartialObjectMetadataList',
          apiVersion: 'meta.k8s.io/v1',
          metadata: listMeta,
          items: served.map(partialObjectMetadata),
        });
      }
      return;
    }
    if (!listMeta) {
      this.writeRaw(res, code, encodeObject(served[0]));
      return;
    }
    this.writeRaw(res, code, encodeList(type, served, listMeta));
  }

  private patch(
    req: IncomingMessage,
    type: ResourceType,
    info: RequestInfo,
    ctx: RequestContext,
    query: URLSearchParams,
    body: Buffer,
  ): { object: KubeObject; created: boolean } {
    const patchType = mediaType(req);
    const supported = type.custom
      ? PATCH_TYPES.filter(t => t !== STRATEGIC_MERGE_PATCH)
      : PATCH_TYPES;
    if (
      !supported.includes(patchType) ||
      (patchType === STRATEGIC_MERGE_PATCH && !this.strategicMergePatch)
    ) {
      throw unsupportedMediaType(
        supported.filter(
          t => t !== STRATEGIC_MERGE_PATCH || this.strategicMergePatch,
        ),
      );
    }
    const { namespace, name } = info;
    if (patchType === APPLY_PATCH)
      return this.apply(type, info, ctx, query, body);
    const existing = this.resources.get(type, namespace, name);
    // Patched as the client sees it: at the request's version.
    const patched = this.applyPatchDocument(
      type,
      this.resources.conversion.served(type, existing) as Record<
        string,
        unknown
      >,
      patchType,
      body,
    );
    this.checkPatchedIdentity(type, info, patched);
    const next = this.resources.decode(type, patched, namespace, ctx);
    if (
      next.metadata?.resourceVersion &&
      next.metadata.resourceVersion !== existing.metadata.resourceVersion
    ) {
      throw this.resources.conflictFor(type, name);
    }
    return {
      object: this.resources.write(
        type,
        namespace,
        name,
        '',
        existing,
        next,
        ctx,
      ),
      created: false,
    };
  }

  private applyPatchDocument(
    type: ResourceType,
    original: Record<string, unknown>,
    patchType: string,
    body: Buffer,
  ): Record<string, unknown> {
    switch (patchType) {
      case JSON_PATCH:
        return applyJsonPatch(original, parseJson(body));
      case MERGE_PATCH:
        return applyMergePatch(original, parseJson(body));
      case STRATEGIC_MERGE_PATCH: {
        const patch = parseJson(body);
        if (!isPlainObject(patch))
          throw badRequest(
            'unable to find api field in struct Pod for the json field "0"',
          );
        return this.strategicMergePatch!(original, patch, {
          group: type.group,
          version: type.version,
          kind: type.kind,
        });
      }
      default:
        throw unsupportedMediaType(PATCH_TYPES);
    }
  }

  private checkPatchedIdentity(
    type: ResourceType,
    info: RequestInfo,
    next: Record<string, any>,
  ) {
    if (!isPlainObject(next.metadata))
      throw badRequest('metadata must be an object');
    if (next.metadata.name !== info.name) {
      throw badRequest(
        `the name of the object (${next.metadata.name}) does not match the name on the URL (${info.name})`,
      );
    }
    if (type.namespaced && next.metadata.namespace !== info.namespace) {
      throw badRequest(
        'the namespace of the provided object does not match the namespace sent on the request',
      );
    }
  }

  private apply(
    type: ResourceType,
    info: RequestInfo,
    ctx: RequestContext,
    query: URLSearchParams,
    body: Buffer,
  ): { object: KubeObject; created: boolean } {
    const manager = query.get('fieldManager');
    if (!manager) {
      throw invalid({ group: 'meta.k8s.io', kind: 'PatchOptions' }, '', [
        {
          reason: 'FieldValueRequired',
          message: 'Required value: is required for apply patch',
          field: 'fieldManager',
        },
      ]);
    }
    const force = query.get('force') === 'true';
    const applied = parseYamlBody(body);
    if (!isPlainObject(applied))
      throw badRequest(
        'error decoding YAML: the applied configuration must be an object',
      );
    if (
      applied.apiVersion !== apiVersionOf(type) ||
      applied.kind !== type.kind
    ) {
      throw badRequest(
        `the API version in the data (${
          applied.apiVersion
        }) does not match the expected API version (${apiVersionOf(type)})`,
      );
    }
    const name = isPlainObject(applied.metadata)
      ? applied.metadata.name
      : undefined;
    if (name !== undefined && name !== info.name) {
      throw badRequest(
        `the name of the object (${name}) does not match the name on the URL (${info.name})`,
      );
    }
    const config = this.resources.decode(type, applied, info.namespace, ctx);
    config.metadata.name = info.name;
    const { namespace } = info;
    const live = this.store.get(
      `${type.group}/${type.plural}`,
      type.namespaced ? `${namespace}/${name}` : name,
    );
    ctx.applied = true;
    const result = serverSideApply(
      { live, applied: config, manager, force, apiVersion: apiVersionOf(type) },
      groupResource(type),
    );
    if (!live)
      return {
        // create decodes a body at the request's version.
        object: this.resources.create(
          type,
          namespace,
          this.resources.conversion.served(type, result),
          ctx,
        ),
        created: true,
      };
    return {
      object: this.resources.write(
        type,
        namespace,
        info.name,
        '',
        live,
        result,
        ctx,
      ),
      created: false,
    };
  }

  /** status, ephemeralcontainers and finalize: views of the object that write only their part. */
  private async serveObjectSubresource(
    req: IncomingMessage,
    res: ServerResponse,
    type: ResourceType,
    info: RequestInfo,
    ctx: RequestContext,
  ) {
    const { namespace, name, subresource } = info;
    const existing = this.resources.get(type, namespace, name);
    if (info.verb === 'get') {
      this.writeRaw(
        res,
        200,
        encodeObject(this.resources.conversion.served(type, existing)),
      );
      return;
    }
    const body = await readBody(req);
    let incoming: KubeObject;
    if (info.verb === 'update') {
      incoming = this.resources.decode(
        type,
        decodeObjectBody(req, body),
        namespace,
        ctx,
      );
    } else {
      const patchType = mediaType(req);
      if (patchType === APPLY_PATCH) {
        throw unsupportedMediaType(PATCH_TYPES.filter(t => t !== APPLY_PATCH));
      }
      incoming = this.resources.decode(
        type,
        this.applyPatchDocument(
          type,
          this.resources.conversion.served(type, existing) as Record<
            string,
            unknown
          >,
          patchType,
          body,
        ),
        namespace,
        ctx,
      );
    }
    const requested = incoming.metadata?.resourceVersion;
    if (requested && requested !== existing.metadata.resourceVersion) {
      throw this.resources.conflictFor(type, name);
    }
    let next: KubeObject;
    if (subresource === 'status') {
      next = incoming;
    } else {
      // Only the subresource's own field changes.
      const field =
        subresource === 'finalize' ? 'finalizers' : 'ephemeralContainers';
      const spec = { ...((existing as any).spec ?? {}) };
      const value = (incoming as any).spec?.[field];
      if (value === undefined) delete spec[field];
      else spec[field] = value;
      next = { ...existing, metadata: { ...existing.metadata }, spec };
    }
    const written = this.resources.write(
      type,
      namespace,
      name,
      subresource,
      existing,
      next,
      ctx,
    );
    this.writeRaw(
      res,
      200,
      encodeObject(this.resources.conversion.served(type, written)),
    );
  }

  private async serveScale(
    req: IncomingMessage,
    res: ServerResponse,
    type: ResourceType,
    info: RequestInfo,
    ctx: RequestContext,
  ) {
    const { namespace, name } = info;
    const existing = this.resources.get(type, namespace, name);
    const scale = toScale(type, existing);
    if (info.verb === 'get') {
      this.writeJson(res, 200, scale);
      return;
    }
    const body = await readBody(req);
    const incoming =
      info.verb === 'update'
        ? decodeObjectBody(req, body)
        : this.applyPatchDocument(
            { ...type, group: 'autoscaling', version: 'v1', kind: 'Scale' },
            scale as Record<string, unknown>,
            mediaType(req),
            body,
          );
    const next = applyScale(type, existing, incoming);
    const written = this.resources.write(
      type,
      namespace,
      name,
      '',
      existing,
      next,
      ctx,
    );
    this.writeJson(res, 200, toScale(type, written));
  }

  /** get and list of a computed, read-only resource (metrics.k8s.io). */
  private serveReadOnly(
    res: ServerResponse,
    type: ResourceType,
    info: RequestInfo,
    url: URL,
  ) {
    const provider = this.readOnlyResources.get(storageKey(type));
    if (!provider) {
      throw new ApiError(
        503,
        'ServiceUnavailable',
        'the server is currently unable to handle the request',
      );
    }
    const filter = this.filterFor(type, url.searchParams, '');
    const provided = provider(info.namespace || undefined);
    const items = filter ? provided.filter(filter) : provided;
    if (info.name) {
      const object = items.find(o => o.metadata.name === info.name);
      if (!object) throw notFound(groupResource(type), info.name);
      this.writeJson(res, 200, object);
      return;
    }
    // A provider that hands out the same list again (metrics within their
    // window) has it encoded once: `kubectl top` in a loop over 10,000 pods
    // spent most of its time in JSON.stringify.
    let body = readOnlyListBytes.get(items);
    if (!body) {
      body = [
        Buffer.from(
          JSON.stringify({
            kind: type.listKind,
            apiVersion: apiVersionOf(type),
            metadata: {},
            items,
          }),
        ),
      ];
      readOnlyListBytes.set(items, body);
    }
    this.writeRaw(res, 200, body);
  }

  private async serveReview(
    req: IncomingMessage,
    res: ServerResponse,
    type: ResourceType,
    info: RequestInfo,
    user: UserInfo,
  ) {
    const body = decodeObjectBody(req, await readBody(req)) as any;
    let result: unknown;
    switch (type.kind) {
      case 'SelfSubjectAccessReview':
        result = selfSubjectAccessReview(this.authorizer, user, body);
        break;
      case 'SubjectAccessReview':
      case 'LocalSubjectAccessReview':
        result = subjectAccessReview(
          this.authorizer,
          body,
          type.kind,
          info.namespace,
        );
        break;
      case 'SelfSubjectRulesReview':
        result = selfSubjectRulesReview(this.rulesResolver, user, body);
        break;
      case 'TokenReview':
        result = tokenReview(this.authenticator, body);
        break;
      case 'SelfSubjectReview':
        result = selfSubjectReview(user);
        break;
      case 'Binding': {
        const pods = this.registry.find('', 'v1', 'pods')!;
        const podName = body?.metadata?.name ?? '';
        const pod = this.resources.get(pods, info.namespace, podName);
        const ctx = { user, dryRun: false };
        this.resources.write(
          pods,
          info.namespace,
          podName,
          'binding',
          pod,
          bindPod(pod, body),
          ctx,
        );
        result = bindingStatus();
        break;
      }
      default:
        throw notFoundPath();
    }
    this.writeJson(res, 201, result);
  }

  private writeJson(
    res: ServerResponse,
    code: number,
    body: unknown,
    contentType = 'application/json',
  ) {
    this.writeRaw(res, code, JSON.stringify(body), contentType);
  }

  private writeRaw(
    res: ServerResponse,
    code: number,
    body: string | Buffer[],
    contentType = 'application/json',
  ) {
    const parts = typeof body === 'string' ? [Buffer.from(body)] : body;
    // Warnings (unknown fields, …) go out as Warning headers, as kube-apiserver sends them.
    for (const warning of responseWarnings.get(res) ?? []) {
      res.appendHeader('Warning', `299 - ${JSON.stringify(warning)}`);
    }
    res.writeHead(code, {
      'Content-Type': contentType,
      'Content-Length': parts.reduce((n, part) => n + part.length, 0),
      'Cache-Control': 'no-cache, private',
    });
    res.cork();
    for (const part of parts) res.write(part);
    res.end();
    res.uncork();
  }

  private writeError(res: ServerResponse, error: unknown) {
    const apiError = error instanceof ApiError ? error : internalError(error);
    if (!(error instanceof ApiError)) {
      // eslint-disable-next-line no-console
      console.error('dev-cluster: internal error', error);
    }
    if (res.headersSent) {
      res.destroy();
      return;
    }
    this.writeJson(res, apiError.code, apiError.status);
  }
}

function partialObjectMetadata(object: KubeObject) {
  return {
    kind: 'PartialObjectMetadata',
    apiVersion: 'meta.k8s.io/v1',
    metadata: object.metadata,
  };
}

function verbAction(verb: string): string {
  return verb === 'deletecollection' ? 'delete collection' : verb;
}

function parseDryRun(values: string[]): boolean {
  for (const value of values) {
    if (value !== 'All') {
      throw invalid({ group: 'meta.k8s.io', kind: 'DryRun' }, '', [
        {
          reason: 'FieldValueNotSupported',
          message: `Unsupported value: "${value}": supported values: "All"`,
          field: 'dryRun',
        },
      ]);
    }
  }
  return values.length > 0;
}

function parseFieldValidation(
  value: string | null,
): RequestContext['fieldValidation'] {
  if (value === null || value === '') return 'Warn';
  if (value === 'Ignore' || value === 'Warn' || value === 'Strict')
    return value;
  throw badRequest(
    `fieldValidation must be one of "Ignore", "Warn", or "Strict", got "${value}"`,
  );
}

function validResourceVersion(value: string | null): string | undefined {
  if (value === null || value === '') return undefined;
  parseResourceVersion(value);
  return value;
}

/** DeleteOptions from the body (kubectl sends them there) or the query. */
function deleteOptions(
  req: IncomingMessage,
  body: Buffer,
  query: URLSearchParams,
): DeleteOptions {
  const fromBody = body.length ? (decodeObjectBody(req, body) as any) : {};
  const grace = query.get('gracePeriodSeconds');
  const options: DeleteOptions = {
    gracePeriodSeconds:
      fromBody.gracePeriodSeconds ??
      (grace !== null ? Number(grace) : undefined),
    propagationPolicy:
      fromBody.propagationPolicy ?? query.get('propagationPolicy') ?? undefined,
    orphanDependents:
      fromBody.orphanDependents ??
      (query.get('orphanDependents') === 'true' ? true : undefined),
    preconditions: fromBody.preconditions,
  };
  if (
    options.gracePeriodSeconds !== undefined &&
    !Number.isInteger(options.gracePeriodSeconds)
  ) {
    throw badRequest(`invalid value for gracePeriodSeconds: ${grace}`);
  }
  return options;
}
