import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** One registry per qrlogin instance, so several can live in one process (tests, library mode). */
export function createMetrics() {
  const registry = new Registry();
  // Unprefixed: the standard process_* and nodejs_* names every Node.js dashboard expects.
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    sessionsCreated: new Counter({ name: 'qrlogin_sessions_created_total', help: 'Login sessions created', registers: [registry] }),
    transitions: new Counter({
      name: 'qrlogin_transitions_total',
      help: 'State transitions written by this node, by new state',
      labelNames: ['state'] as const,
      registers: [registry],
    }),
    redeems: new Counter({ name: 'qrlogin_redeems_total', help: 'Web tokens issued', registers: [registry] }),
    redeliveries: new Counter({
      name: 'qrlogin_redeem_redeliveries_total',
      help: 'Repeat redeems answered the same token again (a first answer lost on the way, or a retry)',
      registers: [registry],
    }),
    pushLatency: new Histogram({
      name: 'qrlogin_push_latency_seconds',
      help: 'Transition written → event emitted to local sockets',
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers: [registry],
    }),
    connectedSockets: new Gauge({ name: 'qrlogin_connected_sockets', help: 'Browser sockets on this node', registers: [registry] }),
    rateLimited: new Counter({
      name: 'qrlogin_rate_limited_total',
      help: 'Requests refused by a rate limit',
      labelNames: ['limit'] as const,
      registers: [registry],
    }),
    pubsubMessages: new Counter({
      name: 'qrlogin_pubsub_messages_received_total',
      help: 'Redis pub/sub messages this node received: `changes` (a session channel), `keyspace` (a watched key)',
      labelNames: ['kind'] as const,
      registers: [registry],
    }),
    redisErrors: new Counter({ name: 'qrlogin_redis_errors_total', help: 'Redis connection and command errors', registers: [registry] }),
    httpDuration: new Histogram({
      name: 'qrlogin_http_request_duration_seconds',
      help: 'HTTP requests answered by qrlogin, by method, route pattern (unmatched: no route) and status',
      labelNames: ['method', 'route', 'status'] as const,
      // Long polls are held up to 30 s: the top buckets tell them apart from slow answers.
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10, 30],
      registers: [registry],
    }),
    loginDuration: new Histogram({
      name: 'qrlogin_login_duration_seconds',
      help: 'Login session created → web token issued (redeemed), for logins this node redeemed',
      buckets: [1, 2, 3, 5, 7.5, 10, 15, 20, 30, 45, 60, 90, 120, 300],
      registers: [registry],
    }),
    expired: new Counter({
      name: 'qrlogin_sessions_expired_total',
      help: 'Sessions that expired unused while a browser on this node waited on them',
      registers: [registry],
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;

/** Epoch milliseconds with sub-millisecond precision, comparable between processes on one machine. */
export const epochNow = (): number => performance.timeOrigin + performance.now();

/** How many untimed emits are remembered while their write time may still arrive. */
const UNTIMED_LIMIT = 1000;

/**
 * Times "transition written → `state` emitted to this node's sockets" into a
 * histogram. A change can reach the sockets first by another path (a keyspace
 * hint re-reads the store) and its write time arrive a moment later, with the
 * other node's message: such emits are remembered (a bounded few) and timed
 * when it does. Delivery is synchronous, so the snapshot being delivered is
 * held only for the duration of `deliver`; deliveries with no local socket
 * emit nothing and are not observed.
 */
export function createPushTimer(histogram: Histogram) {
  let current: { key: string; writtenAt: number } | undefined;
  const untimed = new Map<string, number>();
  const keyOf = (snapshot: { id: string; version: number }) => `${snapshot.id}:${snapshot.version}`;
  const observe = (emittedAt: number, writtenAt: number) => histogram.observe(Math.max(0, emittedAt - writtenAt) / 1000);
  return {
    deliver(snapshot: { id: string; version: number }, writtenAt: number, deliver: () => void): void {
      const key = keyOf(snapshot);
      const emittedAt = untimed.get(key);
      if (emittedAt !== undefined) {
        untimed.delete(key);
        observe(emittedAt, writtenAt);
      }
      current = { key, writtenAt };
      try {
        deliver();
      } finally {
        current = undefined;
      }
    },
    emitted(snapshot: { id: string; version: number }): void {
      const key = keyOf(snapshot);
      if (current?.key === key) {
        observe(epochNow(), current.writtenAt);
        current = undefined;
        return;
      }
      untimed.set(key, epochNow());
      if (untimed.size > UNTIMED_LIMIT) untimed.delete(untimed.keys().next().value as string);
    },
  };
}
