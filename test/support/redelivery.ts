import Redis from 'ioredis';
import { sealedAnswerKey } from '../../server/redis/keys';

/**
 * Ends a login's re-delivery window now, as the PX of its sealed answer
 * running out would (the window is at least 60 s, too long to wait for in a
 * test): from then on a repeat redeem is `already_redeemed`.
 */
export async function endRedeliveryWindow(redisUrl: string, keyPrefix: string, id: string): Promise<void> {
  const redis = new Redis(redisUrl);
  try {
    if ((await redis.del(sealedAnswerKey(keyPrefix, id))) !== 1) throw new Error(`login ${id} had no sealed answer under ${keyPrefix}`);
  } finally {
    redis.disconnect();
  }
}

/** The redeem answer a repeat gets: the same token and user, the time left counted down. */
export const sameAnswer = (first: { token: string; user: unknown; sid: string }) => ({
  token: first.token,
  tokenType: 'Bearer',
  expiresIn: expect.any(Number),
  user: first.user,
  sid: first.sid,
});
