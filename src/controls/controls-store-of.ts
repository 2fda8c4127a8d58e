/** The controls' view of a run's sync-state store. */
import type { StateStore } from '../state/state-store.js';
import type { ControlsStore } from './controls-store.js';
import { KyselyControlsStore } from './kysely-controls-store.js';
import { MemoryControlsStore } from './memory-controls-store.js';

/**
 * Placements and assignments in the sync-state store; without a store (a library caller, a test),
 * in memory for this run only: caps and exclusivity then see no earlier run.
 */
export function controlsStoreOf(state: StateStore | undefined): ControlsStore {
  return state ? new KyselyControlsStore(state.db) : new MemoryControlsStore();
}
