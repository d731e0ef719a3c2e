import type { VerifiedWebToken } from '../auth/web-token';
import { LoginError } from '../errors';
import type { DeviceService } from './service';

export type VerifyWebToken = (token: string) => Promise<VerifiedWebToken>;

/**
 * The web-token check that honours sign-outs (`/api/me`, `/session`, library
 * mode's checkWebToken): a valid signature is not enough while its `sid` is
 * signed out. The refusal reads like any other bad token.
 */
export function honouringSignOuts(verify: VerifyWebToken, devices: DeviceService): VerifyWebToken {
  return async (token) => {
    const verified = await verify(token);
    if (await devices.signedOut(verified.user.id, verified.sid)) {
      throw new LoginError('invalid_token', 'The web token is missing, malformed or expired');
    }
    return verified;
  };
}
