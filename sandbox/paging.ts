/** `page` / `per` / `sort` / `direction` as Flexport documents them, with absolute prev/next links. */
import { badRequest, type Paginated } from './envelopes';

export type Direction = 'asc' | 'desc';

export interface PageRequest {
  page: number;
  per: number;
  direction: Direction;
}

type Query = Record<string, unknown>;

function positiveInt(value: unknown): number | undefined {
  if (typeof value !== 'string' || !/^\d+$/.test(value)) return undefined;
  return Number(value);
}

export function parsePaging(query: Query, defaultDirection: Direction): PageRequest {
  const page = query.page === undefined ? 1 : positiveInt(query.page);
  if (page === undefined || page < 1)
    throw badRequest('invalid_pagination', 'Invalid page. page must be >= 1');
  const per = query.per === undefined ? 20 : positiveInt(query.per);
  if (per === undefined || per < 1 || per > 100) {
    throw badRequest('invalid_pagination', 'Invalid per. per must be between 1 and 100 (inclusive)');
  }
  if (query.sort !== undefined && query.sort !== 'id') {
    throw badRequest('invalid_pagination', 'Invalid Sort. allowed values: id');
  }
  const direction = query.direction ?? defaultDirection;
  if (direction !== 'asc' && direction !== 'desc') {
    throw badRequest('invalid_pagination', 'Invalid Sort Direction. allowed values: desc, asc');
  }
  return { page, per, direction };
}

/** One page of `items` (sorted by id), linking to its neighbours with the request's own filters. */
export function paginate<T extends { id: number }, R>(
  items: T[],
  paging: PageRequest,
  requestUrl: URL,
  render: (item: T) => R,
): Paginated<R> {
  const sorted = [...items].sort((a, b) => (paging.direction === 'asc' ? a.id - b.id : b.id - a.id));
  const start = (paging.page - 1) * paging.per;
  const linkTo = (page: number) => {
    const url = new URL(requestUrl);
    url.searchParams.set('page', String(page));
    url.searchParams.set('per', String(paging.per));
    return url.toString();
  };
  return {
    _object: '/api/collections/paginated',
    prev: paging.page > 1 ? linkTo(paging.page - 1) : null,
    next: start + paging.per < sorted.length ? linkTo(paging.page + 1) : null,
    total_count: sorted.length,
    data: sorted.slice(start, start + paging.per).map(render),
  };
}
