/**
 * A browser of the soak: one socket on `/login` at a time, to a random node;
 * when it drops (its node killed) or cannot connect (node down or frozen) it
 * connects again elsewhere, as socket.io behind a load balancer would. It
 * remembers the newest snapshot and how it came: pushed on an open socket,
 * or re-read by the node on a (re)connect.
 */
import { io, type Socket } from 'socket.io-client';
import { pickNode, sleep, type Backends, type CallResult } from './balancer';

export interface Seen {
  snapshot: { id: string; state: string; version: number; user?: { id: string } };
  at: number;
  /** False for the first state on a socket: the server's re-read on connect. */
  pushed: boolean;
}

export class SoakBrowser {
  socket: Socket | null = null;
  node: string | null = null;
  /** Every newer snapshot, in the order they arrived. */
  readonly seen: Seen[] = [];
  reconnects = 0;
  private waiters: (() => void)[] = [];
  private closed = false;

  constructor(
    private readonly login: { id: string; secret: string },
    private readonly backends: Backends,
    private readonly timeoutMs: number,
    private readonly onRetry: () => void,
  ) {}

  get latest(): Seen['snapshot'] | null {
    return this.seen.at(-1)?.snapshot ?? null;
  }

  /** Connects to a random node (not `avoid`), trying others until one takes it; false after `giveUpMs`. */
  async connect(avoid?: string, giveUpMs = 30_000): Promise<boolean> {
    this.socket?.close();
    this.socket = null;
    const deadline = Date.now() + giveUpMs;
    for (let i = 1; !this.closed && Date.now() < deadline; i++) {
      const node = pickNode(this.backends, avoid);
      const socket = io(`${node}/login`, {
        auth: { id: this.login.id, secret: this.login.secret },
        transports: ['websocket'],
        reconnection: false,
        forceNew: true,
        timeout: this.timeoutMs,
      });
      let first = true;
      socket.on('state', (snapshot: Seen['snapshot']) => {
        const pushed = !first;
        first = false;
        if (this.latest && snapshot.version <= this.latest.version) return;
        this.seen.push({ snapshot, at: Date.now(), pushed });
        for (const wake of this.waiters.splice(0)) wake();
      });
      // socket.io's own `timeout` covers the transport, not the namespace handshake: a node that took the
      // connection and then froze would keep this waiting for ever.
      const ok = await new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => resolve(false), this.timeoutMs);
        socket.once('connect', () => (clearTimeout(timer), resolve(true)));
        socket.once('connect_error', () => (clearTimeout(timer), resolve(false)));
      });
      if (ok && !this.closed) {
        this.socket = socket;
        this.node = node;
        socket.once('disconnect', () => {
          if (this.closed || this.socket !== socket) return;
          this.reconnects++;
          void this.connect(node);
        });
        return true;
      }
      socket.close();
      this.onRetry();
      avoid = node;
      await sleep(Math.min(50 * i, 500));
    }
    return false;
  }

  /** Waits until the newest snapshot satisfies `predicate`; false after `timeoutMs`. */
  async until(predicate: (s: Seen['snapshot']) => boolean, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (!(this.latest && predicate(this.latest))) {
      const left = deadline - Date.now();
      if (left <= 0 || this.closed) return false;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return true;
  }

  /** The `redeem` event with ack on the current socket, as a CallResult (status 0: no ack in time). */
  async redeemOverSocket(): Promise<CallResult> {
    const socket = this.socket;
    if (!socket?.connected) return { status: 0, body: { error: 'no_socket' } };
    const ack = await socket
      .timeout(this.timeoutMs)
      .emitWithAck('redeem')
      .catch(() => null);
    if (!ack) return { status: 0, body: { error: 'no_ack' } };
    if (typeof ack.token === 'string') return { status: 200, body: ack };
    return { status: ack.error === 'unavailable' ? 503 : 409, body: ack };
  }

  close(): void {
    this.closed = true;
    this.socket?.close();
    this.socket = null;
    for (const wake of this.waiters.splice(0)) wake();
  }
}
