/** The exit code table of `affinity-sync --help` and `run --help` (README: "Exit codes"). */
export const EXIT_CODE_HELP = [
  'Exit codes (with several campaigns, the most urgent one wins: 130, 2, 1, 3, 0):',
  '  0    done',
  '  1    a run failed, in whole or in part (network, a service error, a write that failed); retrying may help',
  '  2    bad input: campaign files, data, arguments, credentials (a real 401/403); fix it, retrying will not help',
  '  3    nothing done: no segment to build (e.g. no item is overstocked) or every segment empty; nothing was written',
  '  130  interrupted (Ctrl-C); the run id is printed to resume it',
].join('\n');
