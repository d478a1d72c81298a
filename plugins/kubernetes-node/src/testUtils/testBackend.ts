import {
  coreServices,
  createServiceFactory,
  LoggerService,
} from '@backstage/backend-plugin-api';
import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import {
  AuthorizeResult,
  PolicyDecision,
} from '@backstage/plugin-permission-common';

/*
 * Test support for a backend plugin in a test backend: a signed-in user's
 * headers, a permission policy of the test's own that records what it was
 * asked, and Backstage's auditor recording what the plugin audited.
 */

/** The request headers of a signed-in user (the mock user by default). @public */
export const userAuth = (userEntityRef?: string) => ({
  Authorization: mockCredentials.user.header(userEntityRef),
});

/** One permission request as the policy sees it. @public */
export interface AuthorizeCall {
  permission: string;
  resourceRef?: string;
}

/**
 * A permission service that allows what `allow` allows, and records every
 * request: `calls` one by one, `batches` as each authorize call asked them.
 * @public
 */
export function permissionPolicy(
  allow: (call: AuthorizeCall, userEntityRef: string | undefined) => boolean,
) {
  const calls: AuthorizeCall[] = [];
  const batches: AuthorizeCall[][] = [];
  const permissions = mockServices.permissions.mock({
    authorize: async (requests, { credentials }) => {
      const user = (credentials.principal as any).userEntityRef as
        | string
        | undefined;
      const batch = requests.map(r => ({
        permission: (r as any).permission.name as string,
        resourceRef: (r as any).resourceRef as string | undefined,
      }));
      calls.push(...batch);
      batches.push(batch);
      return batch.map(
        call =>
          ({
            result: allow(call, user)
              ? AuthorizeResult.ALLOW
              : AuthorizeResult.DENY,
          } as PolicyDecision),
      ) as any;
    },
  });
  return { permissions, calls, batches };
}

/** An audit event as the backend reported it, with how it ended. @public */
export interface AuditRecord {
  eventId: string;
  /** The meta the event was created with. */
  meta?: object;
  outcome?: 'success' | 'fail';
  error?: string;
}

/** One entry of the audit log, as Backstage's auditor service wrote it. @public */
export interface AuditLogEntry {
  eventId: string;
  severityLevel: string;
  status: 'initiated' | 'succeeded' | 'failed';
  actor: { actorId?: string };
  request?: { url: string; method: string };
  meta?: Record<string, unknown>;
  /** The error's message, for a failed event. */
  error?: string;
}

type LogMeta = Parameters<LoggerService['info']>[1];

/** A logger that hands every audit entry (`isAuditEvent`) to `sink`. */
class AuditLogRecorder implements LoggerService {
  constructor(
    private readonly fields: Record<string, unknown>,
    private readonly sink: (entry: AuditLogEntry) => void,
  ) {}
  private write(_message: string, meta?: LogMeta) {
    const fields = { ...this.fields };
    if (!fields.isAuditEvent) return;
    if (meta instanceof Error) fields.error = meta.message;
    else Object.assign(fields, meta);
    const { isAuditEvent: _, plugin: __, ...entry } = fields;
    this.sink(entry as unknown as AuditLogEntry);
  }
  error = this.write;
  warn = this.write;
  info = this.write;
  debug = this.write;
  child(meta: Parameters<LoggerService['child']>[0]): LoggerService {
    return new AuditLogRecorder({ ...this.fields, ...meta }, this.sink);
  }
}

/**
 * Backstage's own auditor service, writing to a logger that records its
 * entries: `log` as written, `events` one per event with how it ended.
 * Add its `factories` to the test backend's features.
 * @public
 */
export function auditRecorder() {
  const log: AuditLogEntry[] = [];
  const events: AuditRecord[] = [];
  const pending: Array<{ record: AuditRecord; key: string }> = [];
  const keyOf = (entry: AuditLogEntry) =>
    JSON.stringify([
      entry.eventId,
      entry.actor.actorId,
      entry.request?.method,
      entry.request?.url,
    ]);
  const logger = createServiceFactory({
    service: coreServices.logger,
    deps: {},
    factory: () =>
      new AuditLogRecorder({}, entry => {
        log.push(entry);
        if (entry.status === 'initiated') {
          const record: AuditRecord = {
            eventId: entry.eventId,
            meta: entry.meta,
          };
          events.push(record);
          pending.push({ record, key: keyOf(entry) });
          return;
        }
        const i = pending.findIndex(p => p.key === keyOf(entry));
        if (i < 0) return;
        const [{ record }] = pending.splice(i, 1);
        record.outcome = entry.status === 'succeeded' ? 'success' : 'fail';
        if (entry.error !== undefined) record.error = entry.error;
      }),
  });
  return {
    factories: [mockServices.auditor.factory(), logger],
    events,
    log,
  };
}
