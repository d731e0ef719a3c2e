/**
 * The Redis key layout, documented in the README so that other processes
 * (a mobile backend in another language, say) can read and write sessions.
 *
 *   <prefix>session:{<id>}        hash: the session's fields (see RedisStore)
 *   <prefix>session:{<id>}:ttl    string "1" whose PX is the session's time left;
 *                                 its absence while the hash says pending/scanned/
 *                                 confirmed means "expired"
 *   <prefix>session:{<id>}:answer string: the redeem answer sealed under the
 *                                 browser's secret (session/sealed-answer.ts), written
 *                                 with `redeemed`; its PX is the re-delivery window
 *
 *   <prefix>usercode:<userCode>   string: the id of the session holding that user
 *                                 code, PX its time left (SET NX claims it)
 *
 *   <prefix>ratelimit:<limit>:<client>  string: requests counted in the current
 *                                 window, PX its time left (rate-limiter-flexible's
 *                                 layout; on one Redis the create script counts
 *                                 `create` in it itself)
 *
 * The id in braces is a Redis Cluster hash tag: every key of a session lives
 * in one slot, so each Lua script touches one slot. A user code's key lives
 * in a slot of its own, which is why its claim is a separate SET NX.
 */
/** The counter of RATE_LIMIT_CREATE_PER_IP for one client key (limits/rate-limits.ts `ipKey`). */
export function creationCounterKey(prefix: string, client: string): string {
  return `${prefix}ratelimit:create:${client}`;
}

export function sessionKey(prefix: string, id: string): string {
  return `${prefix}session:{${id}}`;
}

export function ttlKey(prefix: string, id: string): string {
  return `${prefix}session:{${id}}:ttl`;
}

export function sealedAnswerKey(prefix: string, id: string): string {
  return `${prefix}session:{${id}}:answer`;
}

export function userCodeKey(prefix: string, userCode: string): string {
  return `${prefix}usercode:${userCode}`;
}

/**
 * The pub/sub channel of a session's changes (a snapshot per transition; see
 * realtime/fanout.ts). The id in braces puts it in the session's slot, so on a
 * Cluster SPUBLISH sends it only to the shard that holds the session.
 */
export function changesChannel(prefix: string, id: string): string {
  return `${prefix}changes:{${id}}`;
}

/** The pub/sub channel of a web token's sign-outs, by its `sid` (realtime/sign-outs.ts); in the sid's own slot. */
export function signOutChannel(prefix: string, sid: string): string {
  return `${prefix}signout:{${sid}}`;
}

const KEY_PATTERN = /session:\{([0-9a-f-]{36})\}(:ttl)?$/;

/** Parses a key of this layout: the session id and which of the two keys it is. */
export function parseKey(prefix: string, key: string): { id: string; isTtlKey: boolean } | null {
  if (!key.startsWith(prefix)) return null;
  const match = KEY_PATTERN.exec(key.slice(prefix.length));
  if (!match?.[1]) return null;
  return { id: match[1], isTtlKey: Boolean(match[2]) };
}
