/**
 * Parses input with one of the request schemas of
 * `@cairn/plugin-pipelines-common`; an InputError naming each field to fix.
 * The routes take it from here, where the drift test (openapi.test.ts)
 * records which schema each route parses with.
 */
export { parseInput } from '@cairn/backend-openapi';
