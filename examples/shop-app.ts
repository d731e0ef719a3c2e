/**
 * Library mode: an existing Koa app (a shop with its own users, its own
 * mobile-app sessions and its own web sessions) mounts qrlogin under /auth.
 * The three hooks connect qrlogin to what the shop already has, so no JWT
 * is involved at all:
 *   verifyAppToken — the shop's app sends the opaque session token it already holds;
 *   describeUser   — name and avatar come from the shop's user table;
 *   issueWebToken  — a confirmed login becomes an ordinary shop web session.
 *
 * Run it: `npm run build && node dist/examples/shop-app.js` (PORT, REDIS_URL... as for `npm start`),
 * then open http://localhost:4000/auth/ for the QR page.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Router from '@koa/router';
import Koa from 'koa';
import { createQrLogin, loadConfig, LoginError, type QrLogin } from '../server';

interface ShopUser {
  id: string;
  name: string;
  avatarUrl: string;
}

const WEB_SESSION_SECONDS = 8 * 3600;

export interface ShopApp {
  url: string;
  server: Server;
  qrlogin: QrLogin;
  /** What the shop's mobile app holds after its own login: an opaque token (not a JWT). */
  signInOnPhone(userId: string): string;
  close(): Promise<void>;
}

/** Starts the shop on `port` (0: any free one); `env` is read like the server's environment. */
export async function startShopApp(port: number, env: Record<string, string | undefined> = process.env): Promise<ShopApp> {
  const users = new Map<string, ShopUser>([
    ['u-ana', { id: 'u-ana', name: 'Ana Lima', avatarUrl: 'https://shop.example/avatars/ana.png' }],
    ['u-bo', { id: 'u-bo', name: 'Bo Chen', avatarUrl: 'https://shop.example/avatars/bo.png' }],
  ]);
  const appSessions = new Map<string, { userId: string; expiresAt: number }>();
  const webSessions = new Map<string, string>();

  const server = createServer();
  await new Promise<void>((resolve) => server.listen(port, env.HOST ?? '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const config = loadConfig({ PUBLIC_URL: url, DEMO: '0', ...env, BASE_PATH: '/auth' });
  const qrlogin = await createQrLogin({
    config,
    async verifyAppToken(token) {
      const session = appSessions.get(token);
      if (!session || session.expiresAt < Date.now()) throw new LoginError('invalid_token', 'Sign in to the shop app again');
      return { sub: session.userId, exp: Math.floor(session.expiresAt / 1000) };
    },
    describeUser(claims) {
      const user = users.get(claims.sub);
      return user ? { id: user.id, displayName: user.name, avatarUrl: user.avatarUrl } : { id: claims.sub, displayName: claims.sub };
    },
    async issueWebToken(user) {
      const token = randomBytes(32).toString('base64url');
      webSessions.set(token, user.id);
      return { token, expiresIn: WEB_SESSION_SECONDS };
    },
  });

  // The shop's own routes, before and after qrlogin's: qrlogin only answers under /auth.
  const shop = new Router();
  shop.get('/', (ctx) => {
    ctx.type = 'html';
    ctx.body = '<h1>Shop</h1><a href="/auth/">Log in with the shop app</a>';
  });
  shop.get('/account', (ctx) => {
    const token = /^Bearer (\S+)$/.exec(ctx.get('authorization'))?.[1];
    const user = token ? users.get(webSessions.get(token) ?? '') : undefined;
    if (!user) {
      ctx.status = 401;
      ctx.body = { error: 'not signed in' };
      return;
    }
    ctx.body = { user: { id: user.id, name: user.name } };
  });

  const app = new Koa();
  app.use(qrlogin.middleware);
  app.use(shop.routes());
  server.on('request', app.callback());
  await qrlogin.attach(server);

  return {
    url,
    server,
    qrlogin,
    signInOnPhone(userId) {
      const token = randomBytes(24).toString('base64url');
      appSessions.set(token, { userId, expiresAt: Date.now() + 3600_000 });
      return token;
    },
    async close() {
      await qrlogin.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

if (require.main === module) {
  startShopApp(Number(process.env.PORT ?? 4000)).then(
    (shop) => shop.qrlogin.logger.info(`shop listening on ${shop.url}; QR login at ${shop.url}/auth/`),
    (err: Error) => {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    },
  );
}
