/**
 * PROTOCOL.md's 503 row: while the store cannot be reached every call answers
 * `unavailable` quickly (frozen Redis: after the command timeout; stopped
 * Redis: at once), nothing changes, and the node recovers when Redis is back.
 */
import { abandonHttp, call, connectBrowser, createLogin, mobile, readSession, redeemHttp, secretHeader } from './support/client';
import { expectError, waitFor } from './support/expect';
import { startRedis } from './support/redis-server';
import { startTestServer } from './support/server';

describe('503 unavailable', () => {
  test('answers 503 while the store is down, changes nothing, and recovers when it is back', async () => {
    const redis = await startRedis();
    const node = await startTestServer({ env: { REDIS_URL: redis.url } });
    try {
      const login = await createLogin(node.url);
      // Frozen: commands time out (the client's commandTimeout) instead of failing at once.
      redis.process.kill('SIGSTOP');
      expectError(await mobile(node.url, 'scan', 'ana', { id: login.id, code: login.code }), 503, 'unavailable');
      expectError(await call(node.url, 'GET', `/api/login-sessions/${login.id}`, { headers: secretHeader(login) }), 503, 'unavailable');
      redis.process.kill('SIGCONT');
      expect(await readSession(node.url, login)).toMatchObject({ state: 'pending', version: 1 });

      // Stopped: connections are refused.
      await redis.stop();
      expectError(await call(node.url, 'POST', '/api/login-sessions'), 503, 'unavailable');
      expectError(await mobile(node.url, 'confirm', 'ana', { id: login.id, code: login.code }), 503, 'unavailable');
      expectError(await redeemHttp(node.url, login), 503, 'unavailable');
      expectError(await abandonHttp(node.url, login), 503, 'unavailable');
      expect((await call(node.url, 'GET', '/readyz')).status).toBe(503);
      expect((await call(node.url, 'GET', '/healthz')).status).toBe(200);
      await expect(connectBrowser(node.url, { id: login.id, secret: login.secret })).rejects.toThrow('unavailable');

      const again = await startRedis([], redis.port);
      try {
        await waitFor(async () => (await call(node.url, 'GET', '/readyz')).status === 200);
        expect((await call(node.url, 'POST', '/api/login-sessions')).status).toBe(201);
      } finally {
        await again.stop();
      }
      // Shutting down during an outage is clean too: no unhandled rejection from the adapter's unsubscribes.
      await node.close();
    } finally {
      redis.process.kill('SIGCONT');
      await node.close();
      await redis.stop();
    }
  });
});
