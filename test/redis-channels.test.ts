/**
 * "Watch a channel while local listeners exist" (server/realtime/channels.ts)
 * on a real Redis: the first listener of a channel subscribes, the last one
 * unsubscribes, `ready` means subscribed, and after a lost subscriber
 * connection the channels are subscribed again before `onResubscribed` fires.
 */
import Redis from 'ioredis';
import { createLogger } from '../server/log';
import { RedisChannels } from '../server/redis/channels';
import { REDIS_CLIENT_OPTIONS } from '../server/redis/connect';
import { waitFor } from './support/expect';

const logger = createLogger('silent');
let admin: Redis;
let client: Redis;
let channels: RedisChannels;
const SUBSCRIBER_NAME = `channels-test-${process.pid}`;
const name = (suffix: string) => `test:channels:${process.pid}:${suffix}`;
const subscribers = async (channel: string) => Number(((await admin.pubsub('NUMSUB', channel)) as [string, number])[1]);

beforeAll(async () => {
  admin = new Redis(process.env.TEST_REDIS_URL as string);
  client = new Redis(process.env.TEST_REDIS_URL as string);
  // Named, so that this test drops its own subscriber only (other test files share this Redis).
  const subscriber = client.duplicate({ ...REDIS_CLIENT_OPTIONS, enableOfflineQueue: true, connectionName: SUBSCRIBER_NAME });
  channels = await RedisChannels.open({ subscriber, publisher: client, sharded: false, logger });
});
afterAll(async () => {
  await channels.close();
  client.disconnect();
  admin.disconnect();
});

test('listeners of a channel share one subscription: the first subscribes (ready = subscribed), the last unsubscribes', async () => {
  const channel = name('shared');
  const heard: string[] = [];
  const first = channels.listen(channel, (m) => heard.push(`first:${m}`));
  await first.ready;
  expect(await subscribers(channel)).toBe(1);
  const second = channels.listen(channel, (m) => heard.push(`second:${m}`));
  await second.ready;
  expect(await subscribers(channel)).toBe(1);
  channels.publish(channel, 'one');
  await waitFor(() => heard.length === 2);
  expect(heard.sort()).toEqual(['first:one', 'second:one']);
  first.close();
  first.close(); // idempotent: does not take the second listener's hold
  expect(await subscribers(channel)).toBe(1);
  second.close();
  await waitFor(async () => (await subscribers(channel)) === 0);
  expect(channels.size).toBe(0);
});

test('a listener hears only its own channel', async () => {
  const mine = channels.listen(name('mine'), (m) => heard.push(m));
  const heard: string[] = [];
  await mine.ready;
  channels.publish(name('other'), 'not for me');
  channels.publish(name('mine'), 'for me');
  await waitFor(() => heard.length > 0);
  expect(heard).toEqual(['for me']);
  mine.close();
});

test('after the subscriber connection is killed, its channels are subscribed again, then onResubscribed fires', async () => {
  const channel = name('reconnect');
  const heard: string[] = [];
  const listening = channels.listen(channel, (m) => heard.push(m));
  await listening.ready;
  const atResubscribe: number[] = [];
  channels.onResubscribed(() => void subscribers(channel).then((n) => atResubscribe.push(n)));
  const list = (await admin.call('CLIENT', 'LIST', 'TYPE', 'pubsub')) as string;
  const ids = [...list.matchAll(/^id=(\d+) .*name=(\S+) /gm)].filter((m) => m[2] === SUBSCRIBER_NAME).map((m) => m[1] as string);
  expect(ids.length).toBe(1);
  for (const id of ids) await admin.client('KILL', 'ID', id);
  await waitFor(() => atResubscribe.length > 0, 10000);
  expect(atResubscribe[0]).toBe(1);
  channels.publish(channel, 'after');
  await waitFor(() => heard.includes('after'));
  listening.close();
});
