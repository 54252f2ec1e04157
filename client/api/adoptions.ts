/**
 * `POST /v1/adoptions`: a PO made at the provider (its UI, another integration) read there by
 * its name and followed from now on, as `poflow adopt <name>` does (the provider's registry entry
 * adopts it: `hostOf(provider).adoption.adoptByName`). 201 adopted, 200 followed already, 422
 * refused with the provider's reason.
 */
import { hostOf } from '../../providers';
import { readView, statusDocument } from '../purchase-order-requests';
import { ApiProblem, PROBLEM_TYPES } from './problems';
import { adoptionRequestOf } from './requests';
import { poLocation, type Handler } from './context';

export const adoptPurchaseOrder: Handler = async (context, request) => {
  const { provider, name, settings } = adoptionRequestOf(request.body);
  const host = hostOf(provider);
  const result = await host.adoption.adoptByName(context.client, context.providers[provider], name, settings);
  if (result.outcome === 'refused') {
    const reason = result.reason ?? `not adopted from ${host.side.label}`;
    throw new ApiProblem(422, PROBLEM_TYPES.invalid, `purchase order ${name} not adopted: ${reason}`, [
      { path: 'name', message: reason },
    ]);
  }
  const po = { provider, name };
  const location = poLocation(po);
  const view = await readView(context.client, po, context.uiUrlOf);
  const adopted = result.outcome === 'adopted';
  const headers: Record<string, string> = adopted ? { location } : { 'content-location': location };
  return {
    status: adopted ? 201 : 200,
    headers,
    body: statusDocument(view, context.uiUrlOf),
  };
};
