#!/usr/bin/env node
// Entry point of the affinity-sync CLI; the code lives in dist/ (built by `npm run build`, which `npm ci` runs).
import '../dist/src/cli/run.js';
