// Process entry of the CLI (bin/affinity-sync.js loads the built copy; tests run it with `node --import tsx`).
import { main } from './main.js';

// Output piped into `head` closes early: stop quietly instead of crashing with EPIPE.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
}

process.exitCode = await main(process.argv);
