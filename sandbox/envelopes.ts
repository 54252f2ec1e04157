/** Flexport's wire envelopes: responses, errors, paginated collections and object references. */

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export const unprocessable = (message: string, code = 'unprocessable_entity') =>
  new ApiError(422, code, message);
export const notFound = (what: string, id: number | string) =>
  new ApiError(404, 'not_found', `Could not find ${what} with id ${id}`);
export const badRequest = (code: string, message: string) => new ApiError(400, code, message);

export interface ErrorBody {
  _object: '/api/error';
  status: number;
  code: string;
  message: string;
}

/** The tutorial shows errors as a bare `/api/error` object, so that is the body of every error. */
export function errorBody(error: ApiError): ErrorBody {
  return { _object: '/api/error', status: error.status, code: error.code, message: error.message };
}

export function response(self: string, version: number, data: unknown) {
  return { _object: '/api/response', self, version, data, error: null };
}

export interface Paginated<T> {
  _object: '/api/collections/paginated';
  prev: string | null;
  next: string | null;
  total_count: number;
  data: T[];
}

export function objectRef(refType: string, id: number, link: string) {
  return { _object: '/api/refs/object', ref_type: refType, link, id };
}

export function collectionRef(refType: string, link: string) {
  return { _object: '/api/refs/collection', ref_type: refType, link };
}
