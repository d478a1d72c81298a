import { testOpenApiDocument } from '@cairn/backend-openapi/testUtils';
import { buildOpenApiDocument } from './openapi';
import { createRouter } from './router';

describe('the OpenAPI document', () => {
  testOpenApiDocument({
    document: buildOpenApiDocument(),
    router: () => createRouter({} as any),
  });
});
