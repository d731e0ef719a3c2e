import { MemoryStore } from '../server/session/memory-store';
import { storeConformance } from './store.conformance';

describe('MemoryStore', () => {
  storeConformance(async ({ retentionMs }) => {
    const store = new MemoryStore({ retentionMs });
    return { store, close: () => store.close() };
  });
});
