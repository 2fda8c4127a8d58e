#!/usr/bin/env node
// Entry point of the affinity-sync CLI; the code lives in dist/ (built by `npm run build`, run by `npm ci`).
import { main } from '../dist/src/cli/main.js';

process.exitCode = await main(process.argv);
