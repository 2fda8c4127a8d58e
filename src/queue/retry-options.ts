/** Retries of a job. */
export interface RetryOptions {
  /** Attempts in all (the first included) after TransientErrors. @defaultValue 5 */
  attempts: number;
  /** Delay before the 2nd attempt in milliseconds; doubles each time, ±50 % jitter. @defaultValue 5000 */
  backoffDelayMs: number;
}

export const DEFAULT_RETRY_OPTIONS: RetryOptions = { attempts: 5, backoffDelayMs: 5000 };
