/** Writes a field path the way users read it: `destinations[0].tag`, `queries[2].fromNewItems.column`. */
export function formatFieldPath(path: readonly PropertyKey[]): string {
  let text = '';
  for (const segment of path) {
    if (typeof segment === 'number') text += `[${segment}]`;
    else if (typeof segment === 'string' && /^[A-Za-z_$][\w$-]*$/.test(segment)) text += text ? `.${segment}` : segment;
    else text += `[${JSON.stringify(String(segment))}]`;
  }
  return text;
}

/** Reads a path written by {@link formatFieldPath} back into its keys (`queries[2].file` → `['queries', 2, 'file']`). */
export function parseFieldPath(text: string): PropertyKey[] {
  const path: PropertyKey[] = [];
  for (const match of text.matchAll(/\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]|\.?([^.[\]]+)/g)) {
    if (match[1] !== undefined) path.push(Number(match[1]));
    else if (match[2] !== undefined) path.push(JSON.parse(match[2]) as string);
    else if (match[3] !== undefined) path.push(match[3]);
  }
  return path;
}
