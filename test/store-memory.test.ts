import { MemoryStore } from '../server/store/memory';
import { storeConformance } from './store.conformance';

describe('MemoryStore', () => {
  storeConformance(async ({ retentionMs }) => {
    const store = new MemoryStore({ retentionMs });
    return { store, close: () => store.close() };
  });
});
