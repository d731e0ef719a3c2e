import { randomBytes } from 'node:crypto';
import Redis from 'ioredis';
import type { Socket } from 'socket.io-client';
import { startNodes, stopNodes, type NodeProcess } from './node-process';

/** Three `npm start` processes of one site on the run's Redis; their fields are set by the describe block's beforeAll. */
export class ThreeNodes {
  /** Their REDIS_KEY_PREFIX (fresh per describe block). */
  readonly prefix = `test:${randomBytes(4).toString('hex')}:`;
  /** The environment they were started with, for more nodes of the same site. One site: the same public origin in every QR. */
  readonly env = { REDIS_URL: process.env.TEST_REDIS_URL as string, REDIS_KEY_PREFIX: this.prefix, PUBLIC_URL: 'https://login.example.test' };
  a!: NodeProcess;
  b!: NodeProcess;
  c!: NodeProcess;
  /** A client on the same Redis, to look at keys and channels. */
  redis!: Redis;
  /** Sockets a test opened: closed after each test. */
  readonly sockets: Socket[] = [];
  /** Nodes a test started beyond a, b and c: stopped with them. */
  readonly extraNodes: NodeProcess[] = [];
}

/** ThreeNodes for the describe block that calls this: started in its beforeAll, sockets closed after each test, all stopped in its afterAll. */
export function threeNodes(): ThreeNodes {
  const cluster = new ThreeNodes();
  beforeAll(async () => {
    [cluster.a, cluster.b, cluster.c] = (await startNodes(3, cluster.env)) as [NodeProcess, NodeProcess, NodeProcess];
    cluster.redis = new Redis(process.env.TEST_REDIS_URL as string);
  });
  afterEach(() => {
    for (const socket of cluster.sockets.splice(0)) socket.close();
  });
  afterAll(async () => {
    cluster.redis?.disconnect();
    await stopNodes([cluster.a, cluster.b, cluster.c, ...cluster.extraNodes]);
  });
  return cluster;
}
