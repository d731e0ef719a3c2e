/**
 * The Redis key layout of linked devices (documented in the README beside
 * the sessions'):
 *
 *   <prefix>devices:{<user>}                 sorted set: the user's device sids, scored
 *                                            by their token's expiry (epoch ms); the key
 *                                            expires with the last of them
 *   <prefix>devices:{<user>}:<sid>           hash: browser, os, ip, createdAt, expiresAt;
 *                                            PEXPIREAT the token's expiry
 *   <prefix>devices:{<user>}:<sid>:out       string: the sign-out reason; PEXPIREAT the
 *                                            token's expiry (until then the token is refused)
 *
 * `<user>` is the user id URI-encoded, so it holds no `{`, `}` or `:`. It is
 * the Cluster hash tag: all of a user's keys live in one slot, and each Lua
 * script works within it.
 */
export function userDevicesKey(prefix: string, userId: string): string {
  return `${prefix}devices:{${encodeURIComponent(userId)}}`;
}

/** The prefix of the user's per-device keys: add the sid for the hash, and `:out` for the sign-out. */
export function deviceKeyBase(prefix: string, userId: string): string {
  return `${userDevicesKey(prefix, userId)}:`;
}

export const SIGNED_OUT_SUFFIX = ':out';
