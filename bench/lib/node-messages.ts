/** What the bench runner and a bench node (bench/node.ts) say to each other over IPC. */
export type NodeRequest = { type: 'memory' } | { type: 'delay-start' } | { type: 'delay-stop' };

export type NodeReply =
  | { type: 'memory'; rss: number; heapUsed: number }
  | { type: 'delay-start' }
  /** Event-loop delay in milliseconds since delay-start. */
  | { type: 'delay'; p50: number; p99: number; max: number };
