import { AuditorService, HttpAuthService } from '@backstage/backend-plugin-api';
import {
  createOperationsRouter,
  OperationHandler,
} from '@cairn/backend-openapi';
import type { RolloutsApiOperation } from '@cairn/plugin-rollouts-common';
import express from 'express';
import { AuthorizedStonesService } from './AuthorizedStonesService';
import { API_OPERATIONS, buildOpenApiDocument } from './openapi';

/** Dependencies of {@link createRouter}. */
export interface RouterOptions {
  stones: AuthorizedStonesService;
  httpAuth: HttpAuthService;
  auditor: AuditorService;
}

/**
 * The rollouts REST API: each operation of API_OPERATIONS parsed with its
 * schemas and passed to the authorized service (which checks permissions);
 * every change is audited, allowed or denied.
 */
export async function createRouter(
  options: RouterOptions,
): Promise<express.Router> {
  const { stones, httpAuth, auditor } = options;
  const handlers: Record<RolloutsApiOperation, OperationHandler> = {
    listStones: ({ query }, caller) => stones.list(caller, query.entityRef),
    getStone: ({ params, query }, caller) =>
      stones.get(caller, query.entityRef, params),
    approveStage: ({ params, query, body }, caller) =>
      stones.approve(caller, query.entityRef, params, body),
    startUpdate: ({ params, query, body }, caller) =>
      stones.startUpdate(caller, query.entityRef, params, body),
    pause: ({ params, query, body }, caller) =>
      stones.setPaused(caller, query.entityRef, params, body, true),
    resume: ({ params, query, body }, caller) =>
      stones.setPaused(caller, query.entityRef, params, body, false),
    abort: ({ params, query, body }, caller) =>
      stones.abort(caller, query.entityRef, params, body),
    rollback: ({ params, query, body }, caller) =>
      stones.rollback(caller, query.entityRef, params, body),
  };
  return createOperationsRouter({
    operations: API_OPERATIONS,
    handlers,
    document: buildOpenApiDocument(),
    httpAuth,
    auditor,
    auditMeta: ({ params, query, body }) => ({
      entityRef: query.entityRef,
      ...params,
      // The template is the Stone's to show; its images are named.
      ...{ ...body, template: undefined },
    }),
    jsonLimit: '1mb',
  });
}
