import { connectBrowser, createLogin, mobile, waitForState } from '../support/client';
import { startNode, stopNodes, type NodeProcess } from '../support/node-process';
import { startRedis, type RedisProcess } from '../support/redis-server';
import { startTestServer, type TestServer } from '../support/server';
import Redis from 'ioredis';
import { mergeFlags } from '../../server/redis/keyspace';

describe('enabling Redis keyspace notifications', () => {
  test('mergeFlags adds only the missing K, h and x to what is already set', () => {
    expect(mergeFlags('')).toBe('Khx');
    expect(mergeFlags('Ex')).toBe('ExKh');
    expect(mergeFlags('hxK')).toBeNull();
    expect(mergeFlags('AK')).toBeNull(); // A covers every class
    expect(mergeFlags('AE')).toBe('AEK');
  });

  describe('on a Redis that allows CONFIG', () => {
    let redis: RedisProcess;
    let server: TestServer | undefined;
    beforeAll(async () => {
      redis = await startRedis(['--notify-keyspace-events', 'Elg']);
    });
    afterAll(async () => {
      await server?.close();
      await redis.stop();
    });

    test('a starting node keeps the flags already set and adds its own', async () => {
      server = await startTestServer({ env: { REDIS_URL: redis.url } });
      const client = new Redis(redis.url);
      const [, flags] = (await client.config('GET', 'notify-keyspace-events')) as string[];
      client.disconnect();
      expect([...(flags ?? '')].sort()).toEqual([...'EKghlx'].sort());
    });
  });

  describe('on a Redis that refuses CONFIG (as managed Redis does)', () => {
    let redis: RedisProcess;
    let node: NodeProcess | undefined;
    beforeAll(async () => {
      redis = await startRedis(['--rename-command', 'CONFIG', '']);
    });
    afterAll(async () => {
      await stopNodes([node]);
      await redis.stop();
    });

    test('the node warns once and still pushes changes and expiry (from its own timers)', async () => {
      node = await startNode({ REDIS_URL: redis.url, QR_TTL_SECONDS: '5' });
      expect(node.output().match(/refused CONFIG/g)).toHaveLength(1);

      const login = await createLogin(node.url);
      const socket = await connectBrowser(node.url, { id: login.id, secret: login.secret });
      expect((await mobile(node.url, 'scan', 'ana', { qr: login.qr.content })).status).toBe(200);
      await waitForState(socket, (s) => s.state === 'scanned');
      expect(await waitForState(socket, (s) => s.state === 'expired', 20000)).toMatchObject({ version: 3 });
      socket.close();
      expect(node.output().match(/refused CONFIG/g)).toHaveLength(1);
    });
  });
});
