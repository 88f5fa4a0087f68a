/** Customer routes: look up by email, read with tickets, merge. */
import { findCustomerByEmail, getCustomer, mergeCustomer } from '../domain/customers/use-cases.js';
import { createApiHandler, json, parseBody, parseQuery } from './http.js';
import { CustomerLookupQuerySchema, MergeCustomerRequestSchema, PageQuerySchema } from './schemas.js';

export const handler = createApiHandler({
  'GET /customers': async (request) => {
    await request.principal();
    const { email } = parseQuery(request, CustomerLookupQuerySchema);
    const customer = await findCustomerByEmail(request.app.deps, email);
    return json(200, { items: customer ? [customer] : [] });
  },

  'GET /customers/{id}': async (request) => {
    const principal = await request.principal();
    const query = parseQuery(request, PageQuerySchema);
    return json(200, await getCustomer(request.app.deps, principal, request.params.id!, query));
  },

  'POST /customers/{id}/merge': async (request) => {
    const principal = await request.principal();
    const { otherCustomerId } = parseBody(request, MergeCustomerRequestSchema);
    return json(200, await mergeCustomer(request.app.deps, principal, request.params.id!, otherCustomerId));
  },
});
