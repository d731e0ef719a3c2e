/**
 * Several qrlogin node processes on one real Redis with AOF (`appendfsync
 * always`), and the faults the chaos soak throws at them: Redis connections
 * killed (CLIENT KILL), a node SIGKILLed and restarted on its port, a node
 * frozen (SIGSTOP) longer than a client waits and then let go (SIGCONT),
 * Redis SIGKILLed and restarted on its port from its AOF.
 */
import { rmSync } from 'node:fs';
import { killConnections } from '../../test/support/faults';
import { startNode, type NodeProcess } from '../../test/support/node-process';
import { freePort } from '../../test/support/ports';
import { startRedis, type RedisProcess } from '../../test/support/redis-server';
import { pick, sleep, type Backends } from './balancer';

export const FAULTS = ['redis-connections-killed', 'node-killed', 'node-frozen', 'redis-killed'] as const;
export type Fault = (typeof FAULTS)[number];

export interface FaultEvent {
  fault: Fault;
  /** Epoch ms: when the fault began and when everything was back. */
  at: number;
  backAt: number;
  detail: string;
}

const REDIS_ARGS = ['--appendonly', 'yes', '--appendfsync', 'always'];

export class ChaosCluster implements Backends {
  readonly events: FaultEvent[] = [];
  /** Every node process started, killed ones included (their logs are counted too). */
  private readonly everyNode: NodeProcess[];
  private constructor(
    public redis: RedisProcess,
    private readonly nodes: NodeProcess[],
    private readonly ports: number[],
    private readonly env: Record<string, string>,
  ) {
    this.everyNode = [...nodes];
  }

  /** Log lines of every node so far that contain `text`. */
  logLines(text: string): number {
    return this.everyNode.reduce((n, node) => n + node.output().split('\n').filter((line) => line.includes(text)).length, 0);
  }

  /** `count` nodes on free ports sharing one Redis with AOF; `env` is every node's environment on top of REDIS_URL. */
  static async start(count: number, env: Record<string, string>, options: { aof?: boolean } = {}): Promise<ChaosCluster> {
    const redis = await startRedis(options.aof === false ? [] : REDIS_ARGS);
    const ports = await Promise.all(Array.from({ length: count }, () => freePort()));
    const nodeEnv = { ...env, REDIS_URL: redis.url };
    const started = await Promise.allSettled(ports.map((port) => startNode(nodeEnv, { port })));
    const nodes = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
    if (nodes.length < count) {
      await Promise.all(nodes.map((node) => node.stop('SIGKILL')));
      await redis.stop();
      throw (started.find((s) => s.status === 'rejected') as PromiseRejectedResult).reason;
    }
    return new ChaosCluster(redis, nodes, ports, nodeEnv);
  }

  urls(): string[] {
    return this.ports.map((port) => `http://127.0.0.1:${port}`);
  }

  count(fault: Fault): number {
    return this.events.filter((e) => e.fault === fault).length;
  }

  /** Every fault of FAULTS was thrown at least once. */
  get everyFaultSeen(): boolean {
    return FAULTS.every((fault) => this.count(fault) > 0);
  }

  async inject(fault: Fault, options: { freezeMs: number }): Promise<FaultEvent> {
    const at = Date.now();
    let detail: string;
    switch (fault) {
      case 'redis-connections-killed': {
        const killed = (await killConnections(this.redis.url, 'normal')) + (await killConnections(this.redis.url, 'pubsub'));
        detail = `${killed} connections`;
        break;
      }
      case 'node-killed': {
        const i = this.randomNode();
        await this.nodes[i]?.stop('SIGKILL');
        await sleep(500); // down for a moment, as a crashed process is until its supervisor restarts it
        this.nodes[i] = await startNode(this.env, { port: this.ports[i] });
        this.everyNode.push(this.nodes[i] as NodeProcess);
        detail = `node ${i} (port ${this.ports[i]})`;
        break;
      }
      case 'node-frozen': {
        const i = this.randomNode();
        const child = this.nodes[i]?.process;
        child?.kill('SIGSTOP');
        await sleep(options.freezeMs);
        child?.kill('SIGCONT');
        detail = `node ${i} for ${options.freezeMs} ms`;
        break;
      }
      case 'redis-killed': {
        const { port, dir } = this.redis;
        await this.redis.stop(true);
        await sleep(500);
        this.redis = await startRedis(REDIS_ARGS, port, { dir });
        detail = `restarted from its AOF on port ${port}`;
        break;
      }
    }
    const event = { fault, at, backAt: Date.now(), detail };
    this.events.push(event);
    return event;
  }

  /** Faults in turn, `gapMs` apart, until `done()`; each kind at least once even if the logins finish first. */
  async run(done: () => boolean, options: { gapMs: number; freezeMs: number; log?: (line: string) => void }): Promise<void> {
    const over = () => done() && this.everyFaultSeen;
    for (let i = 0; !over(); i++) {
      await sleep(options.gapMs);
      if (over()) return;
      const fault = FAULTS[i % FAULTS.length] as Fault;
      const event = await this.inject(fault, options);
      options.log?.(`chaos: ${fault} (${event.detail}), back after ${event.backAt - event.at} ms`);
    }
  }

  async stop(): Promise<void> {
    for (const node of this.nodes) node.process.kill('SIGCONT');
    await Promise.all(this.nodes.map((node) => node.stop('SIGKILL')));
    await this.redis.stop();
    rmSync(this.redis.dir, { recursive: true, force: true });
  }

  private randomNode(): number {
    return pick(this.nodes.map((_, i) => i));
  }
}
