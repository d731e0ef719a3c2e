import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Redis from 'ioredis';
import { SETTINGS } from '../../server/config';
import { startRedis } from '../support/redis-server';

/** Docker cannot run in CI here, so the Dockerfile and compose file are checked against the code they deploy. */
const read = (file: string) => readFileSync(join(__dirname, '..', '..', file), 'utf8');

describe('Dockerfile and docker-compose.yml', () => {
  const dockerfile = read('Dockerfile');
  const compose = read('docker-compose.yml');
  const nginx = read('deploy/nginx.conf');

  test('the image is multi-stage, runs as non-root on 0.0.0.0 and checks /healthz', () => {
    expect(dockerfile.match(/^FROM /gm)).toHaveLength(2);
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(dockerfile).toMatch(/HOST=0\.0\.0\.0/);
    expect(dockerfile).toMatch(/^HEALTHCHECK .*\n?.*\/healthz/m);
    expect(dockerfile).toMatch(/CMD \["node", "dist\/server\/main\.js"\]/);
    expect(dockerfile).toMatch(/^EXPOSE 3000$/m);
  });

  test('compose runs Redis, the two nodes nginx proxies to, and nginx with the shipped config', () => {
    const upstreams = [...nginx.matchAll(/^ *server (\S+):(\d+)/gm)].map((m) => ({ host: m[1], port: m[2] }));
    expect(upstreams.map((u) => u.host)).toEqual(['node1', 'node2']);
    for (const { host, port } of upstreams) {
      expect(compose).toMatch(new RegExp(`^  ${host}:`, 'm'));
      expect(port).toBe('3000');
    }
    expect(compose).toMatch(/^  redis:/m);
    expect(compose).toMatch(/\.\/deploy\/nginx\.conf:\/etc\/nginx\/conf\.d\/default\.conf/);
  });

  test('every variable the compose file sets on the nodes is a qrlogin setting', () => {
    const nodeBlock = /x-node: &node\n([\s\S]*?)\n\S/.exec(compose)?.[1] ?? '';
    const environment = /environment:\n((?: {4}\S.*\n)+)/.exec(nodeBlock)?.[1] ?? '';
    const names = [...environment.matchAll(/^ {4}(\w+):/gm)].map((m) => m[1]);
    expect(names).toEqual(expect.arrayContaining(['REDIS_URL', 'PUBLIC_URL', 'TRUST_PROXY', 'WEB_JWT_SECRET']));
    for (const name of names) expect(Object.keys(SETTINGS)).toContain(name);
  });

  test('compose runs Redis with noeviction and a password from the environment, which the nodes use', async () => {
    const password = randomBytes(12).toString('hex');
    const interpolate = (text: string) => text.replace(/\$\{REDIS_PASSWORD:\?[^}]*\}/g, password);
    const redisBlock = /^  redis:\n([\s\S]*?)\n\n/m.exec(compose)?.[1] ?? '';
    const command = JSON.parse(interpolate(/command: (\[[\s\S]*?\])\n/.exec(redisBlock)?.[1] ?? '[]')) as string[];
    expect(command[0]).toBe('redis-server');
    const nodeUrl = interpolate(/REDIS_URL: (.+)/.exec(compose)?.[1] ?? '');
    expect(nodeUrl).toBe(`redis://:${password}@redis:6379`);
    const redis = await startRedis(command.slice(1));
    const anonymous = new Redis(redis.port, '127.0.0.1', { lazyConnect: true, enableReadyCheck: false, maxRetriesPerRequest: 0, retryStrategy: () => null });
    const node = new Redis(nodeUrl.replace('@redis:6379', `@127.0.0.1:${redis.port}`), { lazyConnect: true });
    try {
      await expect(anonymous.connect().then(() => anonymous.get('x'))).rejects.toThrow(/NOAUTH/);
      await node.connect();
      expect(await node.config('GET', 'maxmemory-policy')).toEqual(['maxmemory-policy', 'noeviction']);
    } finally {
      anonymous.disconnect();
      node.disconnect();
      await redis.stop();
    }
  });

  test('the stop grace period outlasts the default shutdown timeout', () => {
    const grace = Number(/stop_grace_period: (\d+)s/.exec(compose)?.[1]) * 1000;
    expect(grace).toBeGreaterThan(Number(SETTINGS.SHUTDOWN_TIMEOUT_MS.schema.parse(undefined)));
  });
});
