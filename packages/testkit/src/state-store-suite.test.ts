import { createMemoryStateStore } from '@headroom/core';
import { afterAll, beforeAll, describe, test } from 'vitest';
import { stateStoreSuite } from './state-store-suite.js';

stateStoreSuite({
  runner: { describe, test, beforeAll, afterAll },
  name: 'memory state store',
  createStore: async () => createMemoryStateStore(),
});
