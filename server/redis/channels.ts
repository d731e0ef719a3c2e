import type { Logger } from 'pino';
import { Channel } from '../realtime/channel-listeners';
import type { ChannelBus, Subscription } from '../realtime/channels';
import { isCluster, whenReady, type RedisClient } from './connect';

export interface RedisChannelsOptions {
  /** The subscriber connection, owned by this object from now on (a Redis, or a Cluster with shardedSubscribers when `sharded`). */
  subscriber: RedisClient;
  /** Where publishes go: the command client. */
  publisher: RedisClient;
  /** SSUBSCRIBE/SPUBLISH (a Redis Cluster: each channel lives on the shard owning its slot) instead of SUBSCRIBE/PUBLISH. */
  sharded: boolean;
  logger: Logger;
  /** Told of every message received (the qrlogin_pubsub_messages_received_total metric). */
  onMessage?: () => void;
}

/**
 * ChannelBus on Redis pub/sub (API in realtime/channels.ts). One subscriber
 * connection per node (per master on a Cluster), subscribed to exactly the
 * channels local listeners wait on: no pattern subscription, which every
 * PUBLISH on the server would have to be matched against.
 */
export class RedisChannels implements ChannelBus {
  private readonly channels = new Map<string, Channel>();
  private readonly resubscribed = new Set<() => void>();
  private readonly sub: RedisClient;
  private closed = false;

  constructor(private readonly options: RedisChannelsOptions) {
    this.sub = options.subscriber;
    this.sub.on(options.sharded ? 'smessage' : 'message', (channel: string, message: string) => {
      options.onMessage?.();
      this.channels.get(channel)?.deliver(message);
    });
    // ioredis subscribes again by itself after a reconnect ('ready'; a Cluster's sharded
    // subscribers after their reset, 'subscribersReady'). Our own SUBSCRIBE of the same
    // channels, answered after those on the same connection, tells when they are in place.
    this.sub.on(isCluster(this.sub) ? 'subscribersReady' : 'ready', () => void this.afterReconnect());
  }

  /** Opens the subscriber connection; resolves once it can subscribe. */
  static async open(options: RedisChannelsOptions): Promise<RedisChannels> {
    const channels = new RedisChannels(options);
    await whenReady(options.subscriber);
    return channels;
  }

  listen(name: string, onMessage: (message: string) => void): Subscription {
    let channel = this.channels.get(name);
    if (!channel) {
      // Listeners arriving later wait on the same SUBSCRIBE.
      channel = new Channel(name, this.lastLeft);
      channel.waitFor(this.subscribe(name));
      this.channels.set(name, channel);
    }
    return channel.listen(onMessage);
  }

  publish(channel: string, message: string): void {
    const pub = this.options.publisher;
    const sent = this.options.sharded ? pub.spublish(channel, message) : pub.publish(channel, message);
    sent.catch((err: Error) => this.options.logger.warn({ err: err.message, channel }, 'redis publish failed; listeners elsewhere miss this hint'));
  }

  onResubscribed(callback: () => void): void {
    this.resubscribed.add(callback);
  }

  /** Channels subscribed now (for tests and metrics). */
  get size(): number {
    return this.channels.size;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.channels.clear();
    await this.sub.quit().catch(() => this.sub.disconnect());
  }

  /** A channel's last listener left: one function for all channels, rather than a closure per listener. */
  private readonly lastLeft = (channel: Channel): void => {
    if (this.channels.get(channel.name) !== channel) return;
    this.channels.delete(channel.name);
    if (!this.closed) this.unsubscribe(channel.name);
  };

  private subscribe(channel: string): Promise<void> {
    const subscribing = this.options.sharded ? this.sub.ssubscribe(channel) : this.sub.subscribe(channel);
    return subscribing.then(
      () => undefined,
      (err: Error) => {
        // Redis is away: the subscription is kept and made when the connection is back
        // (ioredis resubscribes), which then re-reads what the listeners wait on.
        this.options.logger.warn({ err: err.message, channel }, 'redis subscribe failed; will resubscribe on reconnect');
      },
    );
  }

  private unsubscribe(channel: string): void {
    const leaving = this.options.sharded ? this.sub.sunsubscribe(channel) : this.sub.unsubscribe(channel);
    leaving.catch((err: Error) => this.options.logger.debug({ err: err.message, channel }, 'redis unsubscribe failed (the connection is gone anyway)'));
  }

  private async afterReconnect(): Promise<void> {
    if (this.closed) return;
    const names = [...this.channels.keys()];
    await Promise.all(names.map((name) => this.subscribe(name)));
    for (const callback of this.resubscribed) callback();
  }
}
