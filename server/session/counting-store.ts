import { StoreUnavailableError } from '../errors';
import type { Store } from './store';

/**
 * The same store, calling `onError` whenever a call fails because the store
 * could not be reached (for the Redis error metric). A Proxy, so methods a
 * store adds beyond the interface pass through too.
 */
export function countingStoreErrors<S extends Store>(store: S, onError: () => void): S {
  return new Proxy(store, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof value !== 'function' || property === 'constructor') return value;
      return (...args: unknown[]) => {
        let result: unknown;
        try {
          result = value.apply(target, args);
        } catch (err) {
          if (err instanceof StoreUnavailableError) onError();
          throw err;
        }
        if (result instanceof Promise) {
          return result.catch((err: unknown) => {
            if (err instanceof StoreUnavailableError) onError();
            throw err;
          });
        }
        return result;
      };
    },
  });
}
