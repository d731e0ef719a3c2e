import { MemoryDeviceStore } from '../server/devices/memory-device-store';
import { deviceStoreConformance } from './device-store.conformance';

describe('MemoryDeviceStore', () => {
  deviceStoreConformance(async () => {
    const store = new MemoryDeviceStore();
    return { store, close: () => store.close() };
  });
});
