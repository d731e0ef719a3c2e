/**
 * The soak's clients see the nodes as they would behind a load balancer: a
 * request goes to a random node; one that is refused (node down), times out
 * (node frozen), or answers 503 (its Redis away) is sent again, to another
 * node where there is one, with a growing pause. Nothing here knows which
 * node is down or frozen: like a balancer's passive checks, it learns by failing.
 */
export interface Backends {
  /** Base URLs of every node slot; a restarted node comes back on its slot's port. */
  urls(): string[];
}

export interface CallResult<T = any> {
  status: number;
  body: T;
}

export interface RetryPolicy {
  /** One try's limit: a frozen node gives no answer, and the client stops waiting after this. */
  timeoutMs: number;
  /** How long to keep retrying before giving up. */
  giveUpAfterMs: number;
  /** Called on each retry (for the tally), with how long the failed try took. */
  onRetry?: (why: string, ms: number) => void;
}

export const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)] as T;

/** A random node other than `avoid` when there is one. */
export function pickNode(backends: Backends, avoid?: string): string {
  const urls = backends.urls();
  const others = urls.filter((u) => u !== avoid);
  return pick(others.length ? others : urls);
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** One JSON request with a time limit; status 0 when no answer came (refused, reset, timed out). */
export async function request<T = any>(
  url: string,
  method: string,
  path: string,
  options: { body?: unknown; headers?: Record<string, string>; timeoutMs: number },
): Promise<CallResult<T>> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  try {
    const res = await fetch(url + path, {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: AbortSignal.timeout(options.timeoutMs),
    });
    const text = await res.text();
    let body: any = text;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON: keep the text
    }
    return { status: res.status, body };
  } catch (err) {
    return { status: 0, body: { error: 'no_answer', message: (err as Error).message } as T };
  }
}

/** Whether an answer says "try again, maybe elsewhere": none came, or the node's Redis is away. */
export const worthRetrying = (res: CallResult): boolean => res.status === 0 || res.status === 503;

/**
 * `attempt(node)` on a random node, again on another while the answer is worth
 * retrying, until `policy.giveUpAfterMs`; resolves the last answer.
 */
export async function viaBalancer<T>(
  backends: Backends,
  policy: RetryPolicy,
  attempt: (nodeUrl: string) => Promise<CallResult<T>>,
): Promise<CallResult<T>> {
  const deadline = Date.now() + policy.giveUpAfterMs;
  let node = pickNode(backends);
  for (let i = 1; ; i++) {
    const tried = performance.now();
    const res = await attempt(node);
    if (!worthRetrying(res) || Date.now() >= deadline) return res;
    policy.onRetry?.(res.status === 0 ? 'no answer' : '503', performance.now() - tried);
    await sleep(Math.min(50 * i, 500));
    node = pickNode(backends, node);
  }
}

/** A JSON call through the balancer. */
export function callViaBalancer<T = any>(
  backends: Backends,
  policy: RetryPolicy,
  method: string,
  path: string,
  options: { body?: unknown; headers?: Record<string, string> } = {},
): Promise<CallResult<T>> {
  return viaBalancer(backends, policy, (node) => request<T>(node, method, path, { ...options, timeoutMs: policy.timeoutMs }));
}
