/**
 * A local stand-in for a Slack incoming webhook: records every POST body (`{"text": …}`) and
 * answers each with the next status of a script (default 200 "ok", as Slack does); `'hang'`
 * never answers, so the sender's timeout fires.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface AlertReceiver {
  url: string;
  /** Bodies received, parsed. */
  readonly received: Array<{ text: string }>;
  close(): Promise<void>;
}

/** Starts the receiver on a free port of 127.0.0.1; `script[i]` answers the i-th request, then 200. */
export async function startAlertReceiver(script: Array<number | 'hang'> = []): Promise<AlertReceiver> {
  const received: Array<{ text: string }> = [];
  const hanging: ServerResponse[] = [];
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const answer = script[received.length] ?? 200;
      received.push(JSON.parse(Buffer.concat(chunks).toString('utf8')) as { text: string });
      if (answer === 'hang') {
        hanging.push(response);
        return;
      }
      response.writeHead(answer, { 'content-type': 'text/plain' });
      response.end(answer === 200 ? 'ok' : 'invalid_payload');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/services/T000/B000/XXXX`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        for (const response of hanging) response.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
