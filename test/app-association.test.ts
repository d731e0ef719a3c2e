/**
 * `/.well-known/apple-app-site-association` and `/.well-known/assetlinks.json`
 * from configuration (PROTOCOL.md v1.1), so that phones open the QR's
 * `/m/login` links in the site's app. Over real HTTP.
 */
import { call } from './support/client';
import { startTestServer, type TestServer } from './support/server';

const FINGERPRINT = '14:6D:E9:83:C5:73:06:50:D8:EE:B9:95:2F:34:FC:64:16:A0:83:42:E6:1D:BE:A8:8A:04:96:B2:3F:CF:44:E5';
const OTHER_FINGERPRINT = 'aa:bb:cc:dd:ee:ff:00:11:22:33:44:55:66:77:88:99:aa:bb:cc:dd:ee:ff:00:11:22:33:44:55:66:77:88:99';

describe('app association files, configured', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({
      store: 'memory',
      env: {
        IOS_APP_IDS: 'ABCDE12345.com.shop.app, ABCDE12345.com.shop.app-beta',
        ANDROID_APP_PACKAGE: 'com.shop.app',
        ANDROID_CERT_SHA256: `${FINGERPRINT},${OTHER_FINGERPRINT}`,
      },
    });
  });
  afterAll(() => server.close());

  test('apple-app-site-association lists the apps for the /m/login path, as JSON', async () => {
    const res = await call(server.url, 'GET', '/.well-known/apple-app-site-association');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('public, max-age=3600');
    expect(res.body).toEqual({
      applinks: {
        details: [
          {
            appIDs: ['ABCDE12345.com.shop.app', 'ABCDE12345.com.shop.app-beta'],
            components: [{ '/': '/m/login', comment: expect.any(String) }],
          },
        ],
      },
    });
  });

  test('assetlinks.json is the Digital Asset Links statement of the package and its certificates (upper-case hex)', async () => {
    const res = await call(server.url, 'GET', '/.well-known/assetlinks.json');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(res.body).toEqual([
      {
        relation: ['delegate_permission/common.handle_all_urls'],
        target: { namespace: 'android_app', package_name: 'com.shop.app', sha256_cert_fingerprints: [FINGERPRINT, OTHER_FINGERPRINT.toUpperCase()] },
      },
    ]);
  });

  test('they are read-only', async () => {
    const res = await call(server.url, 'POST', '/.well-known/assetlinks.json', { body: {} });
    expect(res.status).toBe(405);
    expect(res.body.error).toBe('method_not_allowed');
  });
});

describe('app association files, not configured or under a base path', () => {
  test('each is a JSON 404 not_found when its settings are unset', async () => {
    const server = await startTestServer({ store: 'memory', env: { IOS_APP_IDS: 'ABCDE12345.com.shop.app' } });
    try {
      const android = await call(server.url, 'GET', '/.well-known/assetlinks.json');
      expect(android.status).toBe(404);
      expect(android.body).toEqual({ error: 'not_found', message: expect.stringContaining('ANDROID_APP_PACKAGE') });
      expect((await call(server.url, 'GET', '/.well-known/apple-app-site-association')).status).toBe(200);
    } finally {
      await server.close();
    }
    const bare = await startTestServer({ store: 'memory' });
    try {
      const apple = await call(bare.url, 'GET', '/.well-known/apple-app-site-association');
      expect(apple.status).toBe(404);
      expect(apple.body.error).toBe('not_found');
    } finally {
      await bare.close();
    }
  });

  test('under BASE_PATH the association names the phone page there', async () => {
    const server = await startTestServer({ store: 'memory', env: { BASE_PATH: '/auth', IOS_APP_IDS: 'ABCDE12345.com.shop.app' } });
    try {
      const res = await call(server.url, 'GET', '/auth/.well-known/apple-app-site-association');
      expect(res.status).toBe(200);
      expect(res.body.applinks.details[0].components[0]['/']).toBe('/auth/m/login');
    } finally {
      await server.close();
    }
  });
});
