// Process entry of the CLI (bin/affinity-sync.js loads the built copy; tests run it with `node --import tsx`).
import { main } from './main.js';

process.exitCode = await main(process.argv);
