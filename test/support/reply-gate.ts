import RedisParser from 'redis-parser';

/**
 * Holds Redis's replies between a client and Redis (in a TcpProxy) until the
 * test releases them, and counts commands and answers, so a test can count the
 * round trips a client waits for by causality: what the client sends while
 * every reply is held cannot depend on any of them. Time plays no part.
 */
export interface ReplyGate {
  /** Wires one proxied connection: `deliver` passes a reply chunk on to the client. */
  link(deliver: (chunk: Buffer) => void): { request(chunk: Buffer): void; reply(chunk: Buffer): void };
  /** On: replies wait for release(). Off: they pass at once (and what was held passes now). */
  hold(on: boolean): void;
  /** Passes every held reply on, in order. */
  release(): void;
  /** Reply chunks held now. */
  held(): number;
  /** Commands Redis has not answered yet (pub/sub connections left out: their messages answer nothing). */
  unanswered(): number;
  /** Commands sent so far on all connections. */
  sent(): number;
  /** Pub/sub messages received so far (as JSON text), e.g. keyspace notifications. */
  pushes(): string[];
}

export function createReplyGate(): ReplyGate {
  let holding = false;
  let queue: (() => void)[] = [];
  let sent = 0;
  let unanswered = 0;
  const pushes: string[] = [];
  const text = (value: unknown) => JSON.stringify(value, (_k, v: unknown) => (Buffer.isBuffer(v) ? v.toString('latin1') : v));
  return {
    link(deliver) {
      let pubsub = false;
      let mine = 0;
      const requests = new RedisParser({
        returnReply: (command) => {
          sent++;
          if (/subscribe$/i.test(String((command as unknown[])[0]))) {
            // From here on this connection's replies are messages, not answers.
            pubsub = true;
            unanswered -= mine;
            mine = 0;
          }
          if (!pubsub) {
            mine++;
            unanswered++;
          }
        },
        returnError: () => undefined,
      });
      const answer = () => {
        if (pubsub) return;
        mine--;
        unanswered--;
      };
      const replies = new RedisParser({
        returnReply: (reply) => (pubsub ? pushes.push(text(reply)) : answer()),
        returnError: answer,
      });
      return {
        request: (chunk) => requests.execute(chunk),
        reply(chunk) {
          replies.execute(chunk);
          if (holding) queue.push(() => deliver(chunk));
          else deliver(chunk);
        },
      };
    },
    hold(on) {
      holding = on;
      if (!on) this.release();
    },
    release() {
      const passing = queue;
      queue = [];
      for (const pass of passing) pass();
    },
    held: () => queue.length,
    unanswered: () => unanswered,
    sent: () => sent,
    pushes: () => pushes,
  };
}
