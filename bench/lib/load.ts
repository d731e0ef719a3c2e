import autocannon from 'autocannon';

export interface LoadResult {
  /** Successful (2xx) answers per second. */
  perSecond: number;
  failures: number;
}

/** Drives `method path` as fast as `connections` keep-alive connections allow, for `seconds`. */
export async function load(base: string, method: string, path: string, seconds: number, connections = 16): Promise<LoadResult> {
  const result = await autocannon({ url: base + path, method, connections, duration: seconds });
  return { perSecond: result['2xx'] / result.duration, failures: result.non2xx + result.errors + result.timeouts };
}
