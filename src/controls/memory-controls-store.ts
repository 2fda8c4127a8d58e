/** A {@link ControlsStore} in memory: for tests and dry runs, with the semantics of the real store. */
import type { ControlsStore, HoldoutAssignment, Placement } from './controls-store.js';

export class MemoryControlsStore implements ControlsStore {
  readonly placements: Placement[] = [];
  private readonly assigned = new Map<string, HoldoutAssignment>();

  placementsSince(since: Date): Promise<Placement[]> {
    return Promise.resolve(this.placements.filter((placement) => placement.placedAt >= since));
  }

  latestRunPlacements(campaign: string): Promise<string[]> {
    const own = this.placements.filter((placement) => placement.campaign === campaign);
    const latest = own.reduce<Placement | undefined>((best, placement) => (!best || placement.placedAt > best.placedAt ? placement : best), undefined);
    return Promise.resolve(latest ? [...new Set(own.filter((placement) => placement.runId === latest.runId).map((placement) => placement.userId))] : []);
  }

  recordPlacements(placements: readonly Placement[]): Promise<void> {
    this.placements.push(...placements);
    return Promise.resolve();
  }

  recordAssignments(assignments: readonly HoldoutAssignment[]): Promise<void> {
    for (const assignment of assignments) {
      const key = `${assignment.campaign}\u0000${assignment.segment}\u0000${assignment.userId}`;
      if (!this.assigned.has(key)) this.assigned.set(key, assignment);
    }
    return Promise.resolve();
  }

  assignments(campaign: string): Promise<HoldoutAssignment[]> {
    return Promise.resolve([...this.assigned.values()].filter((assignment) => assignment.campaign === campaign));
  }
}
