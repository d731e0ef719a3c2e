import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../server/config';
import { renderConfigTable, renderEnvExample } from '../server/config-docs';
import { jwksOf, keyPair } from './support/keys';
import { runNodeToExit } from './support/node-process';

const root = join(__dirname, '..');
const rsa = keyPair('rsa');
const ec = keyPair('P-256');

/** The ConfigError `env` causes (fails the test when there is none). */
function errorOf(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error(`no ConfigError for ${JSON.stringify(env)}`);
}

describe('configuration errors name the variable and what is wrong', () => {
  test.each([
    ['a port that is not a number', { PORT: 'abc' }, 'PORT', /expected number.*got "abc"/],
    ['a port out of range', { PORT: '70000' }, 'PORT', /<=65535/],
    ['a URL that is not one', { PUBLIC_URL: 'not a url' }, 'PUBLIC_URL', /Invalid URL/],
    ['a URL of another scheme', { PUBLIC_URL: 'ftp://example.com' }, 'PUBLIC_URL', /Invalid URL/],
    ['a PEM that does not load', { MOBILE_JWT_PUBLIC_KEY: '-----BEGIN PUBLIC KEY-----\\nnot base64\\n-----END PUBLIC KEY-----' }, 'MOBILE_JWT_PUBLIC_KEY', /must be a PEM public key/],
    ['a value that is no PEM at all', { MOBILE_JWT_PUBLIC_KEY: 'hello' }, 'MOBILE_JWT_PUBLIC_KEY', /must be a PEM public key/],
    ['a public key where a private key belongs', { WEB_JWT_PRIVATE_KEY: rsa.publicPem }, 'WEB_JWT_PRIVATE_KEY', /must be a PEM private key/],
    ['a secret and a public key at once', { MOBILE_JWT_SECRET: 'x'.repeat(32), MOBILE_JWT_PUBLIC_KEY: rsa.publicPem }, 'MOBILE_JWT_PUBLIC_KEY', /cannot be set together/],
    ['a key set and a secret at once', { MOBILE_JWT_SECRET: 'x'.repeat(32), MOBILE_JWT_KEYS: jwksOf({ a: rsa.publicKey }) }, 'MOBILE_JWT_KEYS', /cannot be set together/],
    ['an unknown log level', { LOG_LEVEL: 'loud' }, 'LOG_LEVEL', /Invalid option/],
    ['an unknown algorithm', { MOBILE_JWT_PUBLIC_KEY: rsa.publicPem, MOBILE_JWT_ALG: 'HS256' }, 'MOBILE_JWT_ALG', /Invalid option/],
    ['an algorithm that does not fit the key', { MOBILE_JWT_PUBLIC_KEY: ec.publicPem, MOBILE_JWT_ALG: 'RS256' }, 'MOBILE_JWT_ALG', /RS256 does not fit a ec key/],
    ['a boolean that is not one', { TRUST_PROXY: 'yes' }, 'TRUST_PROXY', /Invalid option/],
    ['a JWKS that is not JSON', { MOBILE_JWT_KEYS: '{keys' }, 'MOBILE_JWT_KEYS', /JSON Web Key Set/],
    ['a JWKS key without kid', { MOBILE_JWT_KEYS: JSON.stringify({ keys: [rsa.publicKey.export({ format: 'jwk' })] }) }, 'MOBILE_JWT_KEYS', /keys\[0\] needs a "kid"/],
    ['a JWKS with a kid twice', { MOBILE_JWT_KEYS: jwksOf({ a: rsa.publicKey }).replace(']', `,${JSON.stringify({ ...ec.publicKey.export({ format: 'jwk' }), kid: 'a' })}]`) }, 'MOBILE_JWT_KEYS', /kid "a" appears twice/],
    ['a base path that is not a path', { BASE_PATH: 'auth' }, 'BASE_PATH', /must be a path/],
    ['a retired web key without a current one', { WEB_JWT_RETIRED_KEYS: jwksOf({ old: rsa.publicKey }) }, 'WEB_JWT_RETIRED_KEYS', /only applies to WEB_JWT_PRIVATE_KEY/],
    ['the demo on with a real app secret', { DEMO: '1', MOBILE_JWT_SECRET: 'x'.repeat(32) }, 'DEMO', /is on while MOBILE_JWT_SECRET is set.*DEMO_FORCE=1/],
    ['a header timeout above the request timeout', { HTTP_HEADERS_TIMEOUT_MS: '30000', HTTP_REQUEST_TIMEOUT_MS: '20000' }, 'HTTP_HEADERS_TIMEOUT_MS', /must not exceed HTTP_REQUEST_TIMEOUT_MS/],
    ['a metrics token too short to be one', { METRICS_TOKEN: 'short' }, 'METRICS_TOKEN', /at least 16/],
    ['a secret among the published retired keys', { WEB_JWT_PRIVATE_KEY: ec.privatePem, WEB_JWT_RETIRED_KEYS: JSON.stringify({ keys: [{ kty: 'oct', kid: 'x', k: 'a'.repeat(64) }] }) }, 'WEB_JWT_RETIRED_KEYS', /public RSA or EC keys only/],
    ['an app link that is not a URL', { APP_LINK_URL: 'shop app' }, 'APP_LINK_URL', /Invalid URL/],
    ['an app link of a script scheme', { APP_LINK_URL: 'javascript:alert(1)' }, 'APP_LINK_URL', /Invalid URL/],
    ['a store link that is not a URL', { APP_STORE_URL: 'apps.apple.com/app/id1' }, 'APP_STORE_URL', /Invalid URL/],
    ['a store link of another scheme', { PLAY_STORE_URL: 'market://details?id=com.shop' }, 'PLAY_STORE_URL', /Invalid URL/],
    ['a site name longer than a name', { SITE_NAME: 'x'.repeat(101) }, 'SITE_NAME', /<=100/],
    ['an iOS app id without a team id', { IOS_APP_IDS: 'com.shop.app' }, 'IOS_APP_IDS', /TEAMID\.bundle\.id/],
    ['an iOS app id with a lowercase team id', { IOS_APP_IDS: 'ABCDE12345.com.shop.app,abcde12345.com.shop.app' }, 'IOS_APP_IDS', /TEAMID\.bundle\.id/],
    ['an Android package that is one word', { ANDROID_APP_PACKAGE: 'shop', ANDROID_CERT_SHA256: '00:'.repeat(31) + '00' }, 'ANDROID_APP_PACKAGE', /package name/],
    ['a fingerprint of SHA-1 length', { ANDROID_APP_PACKAGE: 'com.shop', ANDROID_CERT_SHA256: '00:'.repeat(19) + '00' }, 'ANDROID_CERT_SHA256', /SHA-256 fingerprints/],
    ['a fingerprint without colons', { ANDROID_APP_PACKAGE: 'com.shop', ANDROID_CERT_SHA256: '00'.repeat(32) }, 'ANDROID_CERT_SHA256', /SHA-256 fingerprints/],
    ['an Android package without its certificate', { ANDROID_APP_PACKAGE: 'com.shop' }, 'ANDROID_CERT_SHA256', /is needed too/],
    ['certificates without their package', { ANDROID_CERT_SHA256: '00:'.repeat(31) + '00' }, 'ANDROID_APP_PACKAGE', /is needed too/],
    ['a user-code window of zero', { RATE_LIMIT_USER_CODE_WINDOW_SECONDS: '0' }, 'RATE_LIMIT_USER_CODE_WINDOW_SECONDS', />0/],
  ])('%s', (_what, env, variable, detail) => {
    const err = errorOf(env);
    expect(err.variable).toBe(variable);
    expect(err.message).toMatch(new RegExp(`^Invalid configuration: ${variable} `));
    expect(err.message).toMatch(detail);
    expect(err.message).not.toContain('\n');
  });

  test('the value of a secret setting is never echoed, even when wrong', () => {
    const err = errorOf({ WEB_JWT_PRIVATE_KEY: 'my-very-private-value' });
    expect(err.variable).toBe('WEB_JWT_PRIVATE_KEY');
    expect(err.message).not.toContain('my-very-private-value');
  });

  test('good values load: defaults, one-line PEMs, key sets and a base path', () => {
    const config = loadConfig({
      MOBILE_JWT_KEYS: jwksOf({ old: rsa.publicKey, new: ec.publicKey }),
      WEB_JWT_PRIVATE_KEY: ec.privatePem.replace(/\n/g, '\\n'),
      BASE_PATH: '/auth/',
    });
    expect(config.PORT).toBe(3000);
    expect(config.BASE_PATH).toBe('/auth');
    expect(config.MOBILE_JWT_KEYS?.map((k) => [k.kid, k.algorithm])).toEqual([['old', 'RS256'], ['new', 'ES256']]);
    expect(config.WEB_JWT_PRIVATE_KEY).toContain('\n');
    expect(config.demo).toBe(false);
  });

  test('the demo with a real app secret only when forced; on by default only without any key', () => {
    expect(loadConfig({ DEMO: '1', DEMO_FORCE: '1', MOBILE_JWT_SECRET: 'x'.repeat(32) }).demo).toBe(true);
    expect(loadConfig({ MOBILE_JWT_SECRET: 'x'.repeat(32) }).demo).toBe(false);
    expect(loadConfig({}).demo).toBe(true);
  });

  test('the phone side: site name defaults to the public host, lists are trimmed, fingerprints upper-cased, links kept as given', () => {
    const fingerprint = 'ab:'.repeat(31) + 'cd';
    const config = loadConfig({
      PUBLIC_URL: 'https://login.shop.example/',
      APP_LINK_URL: 'https://app.shop.example/qr/',
      IOS_APP_IDS: ' ABCDE12345.com.shop.app ,, ABCDE12345.com.shop.app-beta ',
      ANDROID_APP_PACKAGE: 'com.shop.app',
      ANDROID_CERT_SHA256: fingerprint,
    });
    expect(config.siteName).toBe('login.shop.example');
    expect(config.APP_LINK_URL).toBe('https://app.shop.example/qr/');
    expect(config.IOS_APP_IDS).toEqual(['ABCDE12345.com.shop.app', 'ABCDE12345.com.shop.app-beta']);
    expect(config.ANDROID_CERT_SHA256).toEqual([fingerprint.toUpperCase()]);
    expect(config.RATE_LIMIT_USER_CODE_PER_IP).toBe(10);
    expect(config.RATE_LIMIT_USER_CODE_PER_USER).toBe(10);
    expect(config.RATE_LIMIT_USER_CODE_WINDOW_SECONDS).toBe(600);
    expect(loadConfig({ SITE_NAME: '  Shop  ' }).siteName).toBe('Shop');
  });
});

describe('generated configuration docs', () => {
  test('the committed .env.example is the one rendered from SETTINGS (npm run env:example)', () => {
    expect(readFileSync(join(root, '.env.example'), 'utf8')).toBe(renderEnvExample());
  });

  test('the README configuration table is the one rendered from SETTINGS (npm run env:example)', () => {
    expect(readFileSync(join(root, 'README.md'), 'utf8')).toContain(renderConfigTable());
  });
});

describe('npm start with a bad value', () => {
  test.each([
    ['PORT', { PORT: 'abc' }],
    ['MOBILE_JWT_KEYS', { MOBILE_JWT_SECRET: '', MOBILE_JWT_KEYS: '{"keys": "secret-looking-value"}' }],
    ['DEMO', { DEMO: '1' }],
  ])('prints one line naming %s and exits non-zero', async (variable, env) => {
    const { code, stdout, stderr } = await runNodeToExit(env);
    expect(code).not.toBe(0);
    expect(code).not.toBeNull();
    expect(stdout).toBe('');
    const lines = stderr.split('\n').filter(Boolean);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^Invalid configuration: ${variable} `));
    expect(stderr).not.toContain('secret-looking-value');
  });
});
