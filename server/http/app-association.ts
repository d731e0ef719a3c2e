import Router from '@koa/router';
import type { Middleware } from 'koa';
import { LoginError } from '../errors';

export interface AppAssociationConfig {
  /** `TEAMID.bundle.id` of the iOS apps that may open the phone page's links (IOS_APP_IDS). */
  iosAppIds?: string[];
  /** The Android app's package name and its signing certificates' SHA-256 fingerprints. */
  androidPackage?: string;
  androidCertSha256?: string[];
  /** BASE_PATH: the phone page is `${basePath}/m/login`. */
  basePath?: string;
}

/**
 * The apple-app-site-association of Apple's "Supporting associated domains":
 * the listed apps open `…/m/login` links (what the QR encodes) themselves
 * instead of Safari. `components` is the iOS 13+ form.
 */
export function appleAppSiteAssociation(appIds: string[], basePath = ''): object {
  return {
    applinks: {
      details: [{ appIDs: appIds, components: [{ '/': `${basePath}/m/login`, comment: 'qrlogin: a login QR code' }] }],
    },
  };
}

/** The Digital Asset Links statement that lets the Android app verify its App Links to this host. */
export function assetLinks(packageName: string, certSha256: string[]): object[] {
  return [
    {
      relation: ['delegate_permission/common.handle_all_urls'],
      target: { namespace: 'android_app', package_name: packageName, sha256_cert_fingerprints: certSha256 },
    },
  ];
}

/**
 * `/.well-known/apple-app-site-association` and `/.well-known/assetlinks.json`
 * from configuration; an ordinary 404 for each that is not configured. Phones
 * fetch them from the host's root: under a BASE_PATH, the host must pass them on.
 */
export function appAssociationRoutes({ iosAppIds, androidPackage, androidCertSha256, basePath = '' }: AppAssociationConfig): Router {
  const router = new Router();
  const serve = (body: object | undefined, what: string): Middleware => (ctx) => {
    if (!body) throw new LoginError('not_found', `No ${what} is configured on this server`);
    // An object body is sent as application/json, the type Apple and Google require.
    ctx.set('Cache-Control', 'public, max-age=3600');
    ctx.body = body;
  };
  const apple = iosAppIds?.length ? appleAppSiteAssociation(iosAppIds, basePath) : undefined;
  const android = androidPackage && androidCertSha256?.length ? assetLinks(androidPackage, androidCertSha256) : undefined;
  router.get('/.well-known/apple-app-site-association', serve(apple, 'iOS app (IOS_APP_IDS)'));
  router.get('/.well-known/assetlinks.json', serve(android, 'Android app (ANDROID_APP_PACKAGE)'));
  return router;
}
