import autocannon from 'autocannon';

export interface LoadResult {
  /** Successful (2xx) answers per second. */
  perSecond: number;
  failures: number;
}

/** Drives `method path` (with a JSON `body`, when given) as fast as `connections` keep-alive connections allow, for `seconds`. */
export async function load(base: string, method: string, path: string, seconds: number, connections = 16, body?: object): Promise<LoadResult> {
  const request = body ? { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } } : {};
  const result = await autocannon({ url: base + path, method, connections, duration: seconds, ...request });
  return { perSecond: result['2xx'] / result.duration, failures: result.non2xx + result.errors + result.timeouts };
}
