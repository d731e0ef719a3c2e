import Router from '@koa/router';
import type { Context } from 'koa';
import type { DevicesAnswer, LinkedDevice } from '../../client/shared/protocol';
import type { DeviceService } from '../devices/service';
import type { Device } from '../devices/types';
import type { SessionUser } from '../session/types';
import { parse, sessionId } from '../schemas';

export interface DeviceRouteDeps {
  devices: DeviceService;
  /** The Mobile API's caller check (mobile-caller.ts): app token and rate limits. */
  admit: (ctx: Context) => Promise<SessionUser>;
}

/** PROTOCOL.md v1.1 "Linked devices": the phone's view of the browsers its user is logged in on. Always the caller's own. */
export function deviceRoutes({ devices, admit }: DeviceRouteDeps): Router {
  const router = new Router({ prefix: '/api/mobile/devices' });

  router.get('/', async (ctx) => {
    const user = await admit(ctx);
    ctx.set('Cache-Control', 'no-store');
    ctx.body = { devices: (await devices.list(user.id)).map(toWire) } satisfies DevicesAnswer;
  });

  router.delete('/:sid', async (ctx) => {
    const user = await admit(ctx);
    // A sid is a login session's id: the same spelling rule, as written in the path (the router decodes `%36` to `6`).
    const sid = parse(sessionId, ctx.params.sid, 'sid');
    if (!ctx.path.split('/').includes(sid)) parse(sessionId, ctx.path, 'sid');
    await devices.revoke(user.id, sid);
    ctx.status = 204;
  });

  return router;
}

function toWire(device: Device): LinkedDevice {
  return {
    sid: device.sid,
    browser: device.browser,
    os: device.os,
    ip: device.ip,
    createdAt: new Date(device.createdAt).toISOString(),
    expiresAt: new Date(device.expiresAt).toISOString(),
  };
}
