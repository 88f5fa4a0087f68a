import { describe, expect, it } from 'vitest';
import { buildOpenApiDocument } from '../../../functions/api/openapi.js';
import { ROUTES } from '../../../functions/api/routes.js';

describe('the OpenAPI document', () => {
  const doc = buildOpenApiDocument('Test Desk') as {
    openapi: string;
    paths: Record<
      string,
      Record<
        string,
        {
          security: unknown[];
          requestBody?: {
            content: Record<
              string,
              { schema: { required?: string[]; properties?: Record<string, unknown> } }
            >;
          };
          parameters: { name: string; in: string }[];
        }
      >
    >;
  };

  it('documents every route, with bearer security exactly on the agent routes', () => {
    for (const route of ROUTES) {
      const operation = doc.paths[route.path]?.[route.method.toLowerCase()];
      expect(operation, `${route.method} ${route.path}`).toBeDefined();
      expect(operation!.security).toEqual(route.auth === 'jwt' ? [{ bearer: [] }] : []);
    }
  });

  it('derives request bodies and query parameters from the zod schemas', () => {
    const create = doc.paths['/tickets']!.post!.requestBody!.content['application/json']!.schema;
    expect(create.required).toEqual(expect.arrayContaining(['subject', 'description', 'customer']));
    expect(Object.keys(create.properties ?? {})).toEqual(
      expect.arrayContaining(['priority', 'departmentId', 'channel']),
    );
    const list = doc.paths['/tickets']!.get!.parameters.map((p) => `${p.in}:${p.name}`);
    expect(list).toEqual(expect.arrayContaining(['query:status', 'query:cursor', 'query:tag']));
    expect(doc.paths['/tickets/{id}']!.patch!.parameters).toContainEqual(
      expect.objectContaining({ name: 'id', in: 'path' }),
    );
  });
});
