/**
 * Posts alert text to a Slack-compatible incoming webhook (`POST {"text": …}`, JSON), with a timeout
 * per attempt and retries with exponential backoff (p-retry). It never throws: a webhook that is
 * down must not fail the run, so the outcome is returned for the report and the log.
 *
 * The webhook URL is a secret (Slack's holds a token): it is never logged or reported.
 */
import pRetry, { AbortError } from 'p-retry';

/** Environment variable with the webhook URL. */
export const ALERT_WEBHOOK_VARIABLE = 'AFFINITY_ALERT_WEBHOOK_URL';

/** Options of {@link sendAlertWebhook}. */
export interface AlertWebhookOptions {
  /** Time one attempt may take, in milliseconds. @defaultValue 5000 */
  timeoutMs?: number;
  /** Attempts after the first. @defaultValue 3 */
  retries?: number;
  /** Wait before the first retry, in milliseconds (doubles each time). @defaultValue 500 */
  minDelayMs?: number;
}

/** What became of one webhook post. */
export interface AlertDelivery {
  delivered: boolean;
  attempts: number;
  /** Why it was not delivered (status or network error), never the URL. */
  error?: string;
}

class WebhookStatusError extends Error {}

/** POSTs `{"text": text}` to `url`. Retries network errors, timeouts, 429 and 5xx; not other 4xx. */
export async function sendAlertWebhook(url: string, text: string, options: AlertWebhookOptions = {}): Promise<AlertDelivery> {
  const timeoutMs = options.timeoutMs ?? 5000;
  let attempts = 0;
  if (!/^https?:\/\//i.test(url) || !URL.canParse(url)) {
    return { delivered: false, attempts, error: `${ALERT_WEBHOOK_VARIABLE} is not an http(s) URL` };
  }
  try {
    await pRetry(
      async () => {
        attempts += 1;
        let response: Response;
        try {
          response = await fetch(url, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ text }),
            signal: AbortSignal.timeout(timeoutMs),
          });
        } catch (error) {
          const name = error instanceof Error ? error.name : '';
          const code = (error as { cause?: { code?: string } }).cause?.code;
          throw new Error(name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : `network error ${code ?? name}`);
        }
        await response.body?.cancel();
        if (response.ok) return;
        const failure = new WebhookStatusError(`HTTP ${response.status}`);
        if (response.status === 429 || response.status >= 500) throw failure;
        throw new AbortError(failure);
      },
      { retries: options.retries ?? 3, minTimeout: options.minDelayMs ?? 500, factor: 2, randomize: true },
    );
    return { delivered: true, attempts };
  } catch (error) {
    return { delivered: false, attempts, error: error instanceof Error ? error.message : String(error) };
  }
}
