/**
 * Reads the runnable parts of docs/workshop.md: every ```sh block (a command the reader types), in
 * order, with the ```text block that follows it (what the reader should see) and an optional marker
 * on the line just above the fence:
 *
 * - `<!-- workshop-test: skip <reason> -->`: not run (needs a real cloud account, or is something the
 *   test does itself, such as starting the local stand-ins);
 * - `<!-- workshop-test: background -->`: a long-running process (worker, dashboard) started in the
 *   background and stopped with SIGTERM when the test ends;
 * - `<!-- workshop-test: retry -->`: run again (for up to a minute) until it passes, e.g. a status
 *   check that waits for the worker;
 * - `<!-- workshop-test: exit N -->`: the block is expected to end with exit code N (default 0).
 *
 * Expected output: each line of the ```text block must match a line of the output (stdout, then
 * stderr), in order; `…` stands for anything (an elided part of a line), a line of only `…` for
 * elided lines. Trailing spaces are ignored.
 */

/** What the test does with a block. */
export type BlockMode = { kind: 'run'; exitCode: number; retry: boolean } | { kind: 'background' } | { kind: 'skip'; reason: string };

/** One ```sh block of the workshop. */
export interface WorkshopBlock {
  /** 1-based line of the opening fence in the markdown file. */
  line: number;
  /** The `## ` heading the block is under, e.g. `3. A new-items campaign…` ('' before the first one). */
  step: string;
  script: string;
  mode: BlockMode;
  /** Lines of the following ```text block, if any. */
  expected?: string[];
}

const MARKER = /^<!--\s*workshop-test:\s*(.*?)\s*-->$/;

/**
 * Extracts the ```sh blocks of `markdown`, in order.
 * @throws Error for an unknown marker or a marker not followed by a ```sh block (so typos never skip a block silently).
 */
export function extractWorkshopBlocks(markdown: string): WorkshopBlock[] {
  const lines = markdown.split('\n');
  const blocks: WorkshopBlock[] = [];
  let step = '';
  let pendingMarker: { text: string; line: number } | undefined;
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index]!;
    const heading = /^## (.+)$/.exec(line);
    if (heading) step = heading[1]!.trim();
    const marker = MARKER.exec(line.trim());
    if (marker) {
      pendingMarker = { text: marker[1]!, line: index + 1 };
      continue;
    }
    const fence = /^```(\w*)\s*$/.exec(line);
    if (!fence) {
      if (pendingMarker && line.trim() !== '') throw new Error(`docs/workshop.md:${pendingMarker.line}: a workshop-test marker must be followed by a \`\`\`sh block`);
      continue;
    }
    const language = fence[1] ?? '';
    const body: string[] = [];
    let end = index + 1;
    while (end < lines.length && !/^```\s*$/.test(lines[end]!)) body.push(lines[end++]!);
    if (end >= lines.length) throw new Error(`docs/workshop.md:${index + 1}: unclosed code fence`);
    if (language === 'sh') {
      blocks.push({ line: index + 1, step, script: body.join('\n'), mode: parseMarker(pendingMarker) });
    } else if (pendingMarker) {
      throw new Error(`docs/workshop.md:${pendingMarker.line}: a workshop-test marker must be followed by a \`\`\`sh block, not \`\`\`${language}`);
    } else if (language === 'text') {
      const previous = blocks.at(-1);
      if (previous && previous.expected === undefined) previous.expected = body;
    }
    pendingMarker = undefined;
    index = end;
  }
  return blocks;
}

function parseMarker(marker: { text: string; line: number } | undefined): BlockMode {
  if (!marker) return { kind: 'run', exitCode: 0, retry: false };
  const [word, ...rest] = marker.text.split(/\s+/);
  switch (word) {
    case 'skip':
      if (rest.length === 0) throw new Error(`docs/workshop.md:${marker.line}: say why a block is skipped: <!-- workshop-test: skip <reason> -->`);
      return { kind: 'skip', reason: rest.join(' ') };
    case 'background':
      return { kind: 'background' };
    case 'retry':
      return { kind: 'run', exitCode: 0, retry: true };
    case 'exit': {
      const code = Number(rest[0]);
      if (!Number.isInteger(code)) throw new Error(`docs/workshop.md:${marker.line}: expected <!-- workshop-test: exit N -->`);
      return { kind: 'run', exitCode: code, retry: false };
    }
    default:
      throw new Error(`docs/workshop.md:${marker.line}: unknown workshop-test marker "${marker.text}"; expected skip <reason>, background, retry or exit N`);
  }
}

/**
 * Checks that the `expected` lines occur in `output`, in order (see the file comment for `…`).
 * @returns the first expected line that was not found after the previous match, or undefined when all were.
 */
export function missingExpectedLine(expected: readonly string[], output: string): string | undefined {
  const actual = output.split('\n').map((line) => line.trimEnd());
  let from = 0;
  for (const raw of expected) {
    const wanted = raw.trimEnd();
    if (wanted === '' || wanted === '…') continue;
    const pattern = new RegExp(`^${wanted.split('…').map(escapeRegExp).join('.*')}$`);
    const found = actual.findIndex((line, at) => at >= from && pattern.test(line));
    if (found < 0) return wanted;
    from = found + 1;
  }
  return undefined;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
