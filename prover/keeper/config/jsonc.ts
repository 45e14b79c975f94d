/**
 * Parses JSON with `//` and `/* *\/` comments and trailing commas (the format `nex keeper init`
 * writes). Errors name the line and column.
 */
export function parseJsonc(text: string, source: string): unknown {
  const stripped = stripComments(text);
  try {
    return JSON.parse(stripped);
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    const pos = /position (\d+)/.exec(msg);
    if (pos) {
      const { line, column } = lineColumn(stripped, Number(pos[1]));
      throw new Error(`${source}:${line}:${column}: invalid JSON (${msg})`);
    }
    throw new Error(`${source}: invalid JSON (${msg})`);
  }
}

/** Blanks out comments (keeping newlines so positions stay valid) and drops trailing commas. */
function stripComments(text: string): string {
  let out = '';
  let i = 0;
  let inString = false;
  while (i < text.length) {
    const c = text[i]!;
    const next = text[i + 1];
    if (inString) {
      out += c;
      if (c === '\\') {
        out += next ?? '';
        i += 2;
        continue;
      }
      if (c === '"') inString = false;
      i++;
    } else if (c === '"') {
      inString = true;
      out += c;
      i++;
    } else if (c === '/' && next === '/') {
      while (i < text.length && text[i] !== '\n') {
        out += ' ';
        i++;
      }
    } else if (c === '/' && next === '*') {
      const end = text.indexOf('*/', i + 2);
      const stop = end < 0 ? text.length : end + 2;
      for (; i < stop; i++) out += text[i] === '\n' ? '\n' : ' ';
    } else {
      out += c;
      i++;
    }
  }
  // Trailing commas before } or ] (outside strings: the blanked text has no comment content left).
  return out.replace(/,(\s*[}\]])/g, ' $1');
}

function lineColumn(text: string, pos: number): { line: number; column: number } {
  const before = text.slice(0, pos).split('\n');
  return { line: before.length, column: (before.at(-1)?.length ?? 0) + 1 };
}
