/**
 * Library mode as the README shows it, in each framework a site may run:
 * qrlogin's routes under /auth beside the site's own, Socket.IO on the same
 * HTTP server, one whole login through them, and the site's other requests
 * (its routes, its 404s) untouched.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import middie from '@fastify/middie';
import express from 'express';
import fastify from 'fastify';
import Koa from 'koa';
import type { Socket } from 'socket.io-client';
import { createQrLogin, type QrLogin, type QrLoginOptions } from '../server';
import { call, connectBrowser, createLogin, mobile, waitForState } from './support/client';
import { freePort } from './support/ports';
import { TEST_APP_SECRET, TEST_WEB_SECRET } from './support/server';

const options = (): QrLoginOptions => ({
  publicUrl: 'http://127.0.0.1', // replaced by the real port below
  basePath: '/auth',
  mobileJwt: { secret: TEST_APP_SECRET },
  webJwt: { secret: TEST_WEB_SECRET },
  logLevel: 'silent',
});

interface Mounted {
  url: string;
  close(): Promise<void>;
}

/** Each framework's way, as in the README: (a free port, qrlogin) → the running site. */
const frameworks: Record<string, (qrlogin: (port: number) => Promise<QrLogin>) => Promise<Mounted>> = {
  async koa(make) {
    const server = await listening(createServer());
    const qrlogin = await make(portOf(server));
    const app = new Koa();
    app.use(qrlogin.middleware);
    app.use(async (ctx, next) => {
      if (ctx.path !== '/hello') return next();
      ctx.body = 'hello from the site';
    });
    server.on('request', app.callback());
    await qrlogin.attach(server);
    return mounted(server, qrlogin);
  },
  async express(make) {
    const server = await listening(createServer());
    const qrlogin = await make(portOf(server));
    const app = express();
    app.use(qrlogin.handle);
    app.get('/hello', (_req, res) => void res.send('hello from the site'));
    server.on('request', app);
    await qrlogin.attach(server);
    return mounted(server, qrlogin);
  },
  async fastify(make) {
    const port = await freePort();
    const qrlogin = await make(port);
    const site = fastify();
    await site.register(middie);
    site.use(qrlogin.handle);
    site.get('/hello', async () => 'hello from the site');
    await qrlogin.attach(site.server);
    await site.listen({ port, host: '127.0.0.1' });
    return {
      url: `http://127.0.0.1:${port}`,
      async close() {
        await qrlogin.close();
        await site.close();
      },
    };
  },
  async 'node:http'(make) {
    const server = await listening(createServer());
    const qrlogin = await make(portOf(server));
    server.on('request', (req, res) =>
      qrlogin.handle(req, res, () => {
        if (req.url === '/hello') res.end('hello from the site');
        else res.writeHead(404, { 'content-type': 'text/plain' }).end('site 404');
      }));
    await qrlogin.attach(server);
    return mounted(server, qrlogin);
  },
};

async function listening(server: Server): Promise<Server> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}
const portOf = (server: Server) => (server.address() as AddressInfo).port;
function mounted(server: Server, qrlogin: QrLogin): Mounted {
  return {
    url: `http://127.0.0.1:${portOf(server)}`,
    async close() {
      await qrlogin.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe.each(Object.keys(frameworks))('mounted in %s under /auth', (name) => {
  let site: Mounted;
  let socket: Socket | undefined;
  beforeAll(async () => {
    site = await (frameworks[name] as (typeof frameworks)['koa'])((port) => createQrLogin({ ...options(), publicUrl: `http://127.0.0.1:${port}` }));
  });
  afterAll(async () => {
    socket?.close();
    await site?.close();
  });

  test('a whole login through /auth, pushed over Socket.IO at /auth/socket.io', async () => {
    const auth = `${site.url}/auth`;
    const login = await createLogin(auth);
    expect(login.qr.content.startsWith(`${auth}/m/login?`)).toBe(true);
    socket = await connectBrowser(auth, { id: login.id, secret: login.secret });
    await waitForState(socket, (s) => s.state === 'pending');
    expect((await mobile(auth, 'scan', 'ana', { qr: login.qr.content })).status).toBe(200);
    await waitForState(socket, (s) => s.state === 'scanned');
    expect((await mobile(auth, 'confirm', 'ana', { id: login.id, code: login.code })).status).toBe(200);
    await waitForState(socket, (s) => s.state === 'confirmed');
    const redeemed = await socket.timeout(5000).emitWithAck('redeem');
    expect(redeemed).toMatchObject({ tokenType: 'Bearer', user: { id: 'ana' } });
    const me = await call(auth, 'GET', '/api/me', { headers: { authorization: `Bearer ${redeemed.token}` } });
    expect(me).toMatchObject({ status: 200, body: { user: { id: 'ana' } } });
    expect((await call(auth, 'GET', '/healthz')).status).toBe(200);
  });

  test("the site's own routes and 404s stay the site's", async () => {
    const hello = await fetch(`${site.url}/hello`);
    expect([hello.status, await hello.text()]).toEqual([200, 'hello from the site']);
    const missing = await fetch(`${site.url}/api/login-sessions`, { method: 'POST' });
    expect(missing.status).toBe(404);
    // qrlogin answers its 404s as protocol JSON with a request id; outside /auth it never answers.
    expect(missing.headers.get('x-request-id')).toBeNull();
    const own = await fetch(`${site.url}/auth/nope`);
    expect(own.status).toBe(404);
    expect(await own.json()).toMatchObject({ error: 'not_found' });
  });
});
