#!/usr/bin/env node
// Entry point of the affinity-sync CLI; the code lives in dist/ (built by `npm run build`, which `npm ci` runs).
// Node.js 20 is a supported platform of this tool: the AWS SDK's nine-line "will require node >=22"
// warning on every S3 or Personalize run says nothing a user can act on today (set the variable to
// false to see it). See https://github.com/aws/aws-sdk-js-v3/issues/7983.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
await import('../dist/src/cli/run.js');
