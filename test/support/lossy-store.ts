import { StoreUnavailableError } from '../../server/errors';
import { MemoryStore } from '../../server/session/memory-store';
import type { SessionChange } from '../../server/session/types';

/**
 * A MemoryStore whose next `update` runs and then fails as if its reply had
 * been lost (a Redis connection killed mid-command): the write happened, the
 * writer cannot know.
 */
export class LossyStore extends MemoryStore {
  loseNextReply = false;
  override async update(id: string, expectedVersion: number, change: SessionChange) {
    const result = await super.update(id, expectedVersion, change);
    if (this.loseNextReply) {
      this.loseNextReply = false;
      throw new StoreUnavailableError(new Error('Command timed out'), true);
    }
    return result;
  }
}
