import { errorFor, QrLoginError } from './errors';

/** The subset of `fetch` the SDKs use, so React Native, Node and tests can pass their own. */
export type FetchLike = (url: string, init?: RequestInit) => Promise<Response>;

export interface JsonRequest {
  method: string;
  path: string;
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  keepalive?: boolean;
}

/**
 * One JSON call of the protocol: resolves the parsed body of a 2xx answer
 * (undefined for 204), throws the typed QrLoginError of an `{error, message}`
 * answer, or a NetworkError when no answer came.
 */
export async function requestJson<T>(fetchImpl: FetchLike, baseUrl: string, req: JsonRequest): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json', ...req.headers };
  if (req.body !== undefined) headers['content-type'] = 'application/json';
  let res: Response;
  try {
    res = await fetchImpl(baseUrl.replace(/\/+$/, '') + req.path, {
      method: req.method,
      headers,
      body: req.body === undefined ? undefined : JSON.stringify(req.body),
      signal: req.signal,
      keepalive: req.keepalive,
      credentials: 'omit',
    });
  } catch (err) {
    if (req.signal?.aborted) throw errorFor('network_error', 'The request was aborted');
    throw errorFor('network_error', `No answer from the login server: ${(err as Error)?.message ?? String(err)}`);
  }
  if (res.status === 204) return undefined as T;
  const text = await res.text().catch(() => '');
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  if (res.ok) {
    if (body === undefined) throw errorFor('bad_response', `The login server answered ${res.status} without JSON`, res.status);
    return body as T;
  }
  const retryAfter = Number(res.headers.get('retry-after'));
  const retryAfterSeconds = Number.isFinite(retryAfter) && retryAfter >= 0 ? retryAfter : undefined;
  if (isErrorBody(body)) throw errorFor(body.error, body.message, res.status, retryAfterSeconds);
  const code = res.status === 503 ? 'unavailable' : res.status === 429 ? 'rate_limited' : 'bad_response';
  throw errorFor(code, `The login server answered ${res.status}`, res.status, retryAfterSeconds);
}

export function isErrorBody(value: unknown): value is { error: string; message: string } {
  return typeof value === 'object' && value !== null && typeof (value as { error?: unknown }).error === 'string'
    && typeof (value as { message?: unknown }).message === 'string';
}

export { QrLoginError };
