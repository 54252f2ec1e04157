/** Small HTTP helpers shared by the route modules. */
import type { FastifyRequest } from 'fastify';
import type { Context } from '../context';
import { notFound, response } from '../envelopes';
import { parsePaging, type Direction, type PageRequest } from '../paging';

/** The envelope's `version`: the requested Flexport-Version, else the endpoint's API version. */
export function envelope(ctx: Context, request: FastifyRequest, data: unknown, defaultVersion: 2 | 3) {
  const header = Number(request.headers['flexport-version']);
  const version = Number.isInteger(header) && header > 0 ? header : defaultVersion;
  return response(ctx.links.url(request.url), version, data);
}

export function requestUrl(ctx: Context, request: FastifyRequest): URL {
  return new URL(ctx.links.url(request.url));
}

export function paging(request: FastifyRequest, defaultDirection: Direction = 'asc'): PageRequest {
  return parsePaging(request.query as Record<string, unknown>, defaultDirection);
}

/** A numeric path id; anything else names no resource. */
export function pathId(request: FastifyRequest, what: string): number {
  const raw = (request.params as { id?: string }).id ?? '';
  if (!/^\d+$/.test(raw)) throw notFound(what, raw);
  return Number(raw);
}

export function wantsLineItems(request: FastifyRequest): boolean {
  const expand = (request.query as { expand?: string | string[] }).expand;
  return [expand ?? []].flat().some((e) => e.split(',').includes('line_items'));
}
