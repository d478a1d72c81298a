import { InputError } from '@backstage/errors';
import { describeIssues } from '@cairn/plugin-pipelines-common';
import { z } from 'zod';

/**
 * Parses input with one of the request schemas of
 * `@cairn/plugin-pipelines-common`; an InputError naming each field to fix.
 */
export function parseInput<T extends z.ZodType>(
  schema: T,
  input: unknown,
  where: string,
): z.infer<T> {
  const result = schema.safeParse(input);
  if (!result.success) {
    throw new InputError(
      `invalid ${where}: ${describeIssues(result.error).join('; ')}`,
    );
  }
  return result.data;
}
