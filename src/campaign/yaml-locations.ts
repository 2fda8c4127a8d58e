import { isMap, isScalar, isSeq, type Document, type LineCounter, type Node } from 'yaml';
import type { LocatePath } from './config-issues.js';

/**
 * Finds the line of a field path in a parsed YAML/JSON document: the line of the key for an
 * object field, of the item for a list entry, or of the nearest existing ancestor when the path
 * does not exist (a missing key is reported where its parent is).
 */
export function yamlLocator(document: Document, lineCounter: LineCounter): LocatePath {
  const lineOf = (node: Node | null | undefined) =>
    node?.range ? lineCounter.linePos(node.range[0]).line : undefined;
  return (path) => {
    let node = document.contents;
    let line = lineOf(node);
    for (const segment of path) {
      if (isMap(node)) {
        const pair = node.items.find((candidate) => (isScalar(candidate.key) ? candidate.key.value : candidate.key) === segment);
        if (!pair) return line;
        line = lineOf(pair.key as Node) ?? line;
        node = pair.value as Node | null;
      } else if (isSeq(node) && typeof segment === 'number') {
        const item = node.items[segment] as Node | undefined;
        if (!item) return line;
        line = lineOf(item) ?? line;
        node = item;
      } else {
        return line;
      }
    }
    return line;
  };
}
