import { entityRefQuerySchema } from '@cairn/plugin-pipelines-common';
import { Request } from 'express';
import { parseInput } from './schemas';

/** The entity a request is about (`?entityRef=`), validated. */
export function entityRefOf(req: Request): string {
  return parseInput(
    entityRefQuerySchema,
    { entityRef: req.query.entityRef },
    'query',
  ).entityRef;
}
