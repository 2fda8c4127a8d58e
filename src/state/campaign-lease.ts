/**
 * One run per campaign at a time, whatever started it (`run`, `enqueue`, a schedule slot): a lease
 * in the state store, named after the campaign and held by the run id. It expires, so a killed
 * process never blocks a campaign for good, and is renewed while the run works.
 */
import { AffinitySyncError, ExitCode } from '../core/errors.js';
import type { StateStore } from './state-store.js';

/** How long a lease lasts without renewal: a killed `run` blocks its campaign at most this long. */
export const CAMPAIGN_LEASE_TTL_MS = 2 * 60_000;

/**
 * Lease time of a queued run: its jobs may wait in the queue between steps, so it is longer, and
 * every job of the run renews it while it works.
 */
export const QUEUED_RUN_LEASE_TTL_MS = 30 * 60_000;

/** Lease name of a campaign. */
export const campaignLeaseName = (campaign: string): string => `campaign:${campaign}`;

/** Another run of the campaign holds its lease: this one did nothing. Not retried; exit code 1. */
export class CampaignBusyError extends AffinitySyncError {
  readonly userFacing = true;
  readonly retryable = false;
  readonly exitCode = ExitCode.runFailed;
}

/** The message of a skipped run. */
export function campaignBusyMessage(campaign: string, holder: string, expiresAt: string): string {
  return `campaign ${campaign} is already being run (run ${holder}); this run was skipped and changed nothing. If that run's process died, its lease expires at ${expiresAt}.`;
}

/** A held lease, renewed in the background until released (or until renewing stops). */
export interface HeldLease {
  /** Stops renewing and gives the lease back. */
  release(): Promise<void>;
  /** Stops renewing but keeps the lease (a queued run's step: the run goes on in other jobs). */
  stopRenewing(): void;
}

/**
 * Takes the campaign's lease for `runId` (again, when `runId` already holds it) and renews it every
 * third of `ttlMs` until released.
 * @throws CampaignBusyError when another run holds it.
 */
export async function holdCampaignLease(store: StateStore, campaign: string, runId: string, ttlMs = CAMPAIGN_LEASE_TTL_MS): Promise<HeldLease> {
  const name = campaignLeaseName(campaign);
  const taken = await store.acquireLease(name, runId, ttlMs);
  if (!taken.acquired) throw new CampaignBusyError(campaignBusyMessage(campaign, taken.holder, taken.expiresAt));
  const timer = setInterval(() => {
    store.acquireLease(name, runId, ttlMs).catch(() => undefined);
  }, Math.max(1_000, Math.floor(ttlMs / 3)));
  timer.unref();
  return {
    async release() {
      clearInterval(timer);
      await store.releaseLease(name, runId);
    },
    stopRenewing() {
      clearInterval(timer);
    },
  };
}
