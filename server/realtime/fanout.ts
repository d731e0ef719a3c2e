/**
 * The realtime path of a login, in one place.
 *
 * Outbound — `announce(snapshot, writtenAt)`: this node wrote a transition.
 *   1. deliver it to this node's listeners (sockets, long polls) at once;
 *   2. PUBLISH it on the session's channel, where exactly the nodes with a
 *      listener of that session are subscribed.
 *
 * Inbound — while at least one local listener waits on a session (the hub
 * tracks them), this node is subscribed to that session's channel (and to
 * its keys' keyspace events, for expiry and outside writers); a snapshot
 * arriving there is delivered to the local listeners. The first listener
 * subscribes and the last one unsubscribes; a listener reads the state only
 * once the subscription is in place, so a change lands in the read or in a
 * message. After a lost subscriber connection comes back, every watched
 * session is re-read.
 *
 * A node that waits on none of a login's sessions hears nothing of it.
 */
import { STATES } from '../../client/shared/protocol';
import type { Snapshot } from '../session/types';
import { allOf, type ChannelBus, type KeyWatcher, type Subscription } from './channels';
import { SessionHub } from './hub';

/** How a write is timed into the push-latency histogram (metrics.ts createPushTimer). */
export interface PushTimer {
  deliver(snapshot: Snapshot, writtenAt: number, deliver: () => void): void;
  emitted(snapshot: Snapshot): void;
}

export interface FanoutOptions {
  /** Reads the current snapshot from the store (the source of truth). */
  read: (id: string) => Promise<Snapshot | null>;
  /** Other nodes, through per-session channels (LocalChannels in a single process). */
  channels: ChannelBus;
  /** The channel of a session's changes (see redis/keys.ts). */
  channelOf: (id: string) => string;
  /** Keyspace events of watched sessions; absent without Redis. */
  keys?: KeyWatcher;
  /** Tells this node's own messages apart (it delivered them before publishing). */
  nodeId: string;
  pushTimer: PushTimer;
  now?: () => number;
  /** Told of each version delivered on this node (once per version; for metrics). */
  onDeliver?: (snapshot: Snapshot) => void;
  onError?: (err: unknown, id: string) => void;
}

export class Fanout {
  /** This node's listeners, by session. */
  readonly hub: SessionHub;
  private emitToSockets: (snapshot: Snapshot) => void = () => undefined;

  constructor(private readonly options: FanoutOptions) {
    this.hub = new SessionHub({
      read: options.read,
      emitLocal: (snapshot) => {
        this.emitToSockets(snapshot);
        options.pushTimer.emitted(snapshot);
      },
      subscribe: (id) => this.subscribe(id),
      now: options.now,
      onDeliver: options.onDeliver,
      onError: options.onError,
    });
    const resync = () => this.hub.resync();
    options.channels.onResubscribed(resync);
    options.keys?.onResubscribed(resync);
  }

  /** How snapshots reach this node's sockets of a session (the `/login` namespace registers itself when attached). */
  deliverToSockets(emit: (snapshot: Snapshot) => void): void {
    this.emitToSockets = emit;
  }

  /** This node wrote `snapshot` at `writtenAt` (epoch ms): deliver here, publish to the nodes that wait on it. */
  announce(snapshot: Snapshot, writtenAt: number): void {
    this.options.pushTimer.deliver(snapshot, writtenAt, () => this.hub.deliver(snapshot));
    this.options.channels.publish(this.options.channelOf(snapshot.id), encode(this.options.nodeId, writtenAt, snapshot));
  }

  close(): void {
    this.hub.close();
  }

  /** Called by the hub for a session's first local listener; closed after its last. */
  private subscribe(id: string): Subscription {
    const { channels, keys } = this.options;
    const changes = channels.listen(this.options.channelOf(id), (message) => this.receive(id, message));
    // An array literal, sized to fit: it is held as long as the session is watched.
    return allOf(keys ? [changes, keys.watch(id, () => this.hub.hint(id))] : [changes]);
  }

  private receive(id: string, message: string): void {
    const decoded = decode(message);
    // Pub/sub is not authenticated: whatever else lands on the channel is dropped.
    if (!decoded || decoded.snapshot.id !== id || decoded.from === this.options.nodeId) return;
    this.options.pushTimer.deliver(decoded.snapshot, decoded.writtenAt, () => this.hub.deliver(decoded.snapshot));
  }
}

/** `<node id> <written at> <snapshot JSON>`: the node id is compared before any JSON is parsed. */
function encode(nodeId: string, writtenAt: number, snapshot: Snapshot): string {
  return `${nodeId} ${writtenAt} ${JSON.stringify(snapshot)}`;
}

function decode(message: string): { from: string; writtenAt: number; snapshot: Snapshot } | null {
  const first = message.indexOf(' ');
  const second = message.indexOf(' ', first + 1);
  if (first < 0 || second < 0) return null;
  const writtenAt = Number(message.slice(first + 1, second));
  let snapshot: unknown;
  try {
    snapshot = JSON.parse(message.slice(second + 1));
  } catch {
    return null;
  }
  if (!Number.isFinite(writtenAt) || !isSnapshot(snapshot)) return null;
  return { from: message.slice(0, first), writtenAt, snapshot };
}

function isSnapshot(value: unknown): value is Snapshot {
  if (typeof value !== 'object' || value === null) return false;
  const s = value as Record<string, unknown>;
  return (
    typeof s.id === 'string' &&
    Number.isInteger(s.version) &&
    (s.version as number) > 0 &&
    typeof s.state === 'string' &&
    (STATES as readonly string[]).includes(s.state) &&
    typeof s.expiresAt === 'string'
  );
}
