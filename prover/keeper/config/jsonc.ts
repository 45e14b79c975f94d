import { parse, printParseErrorCode, type ParseError } from 'jsonc-parser';

/**
 * Parses JSON with `//` and `/* *\/` comments and trailing commas (the format `nex keeper init` writes)
 * with jsonc-parser, the parser of VS Code's settings files. Errors name the line and column.
 */
export function parseJsonc(text: string, source: string): unknown {
  const errors: ParseError[] = [];
  const value: unknown = parse(text, errors, { allowTrailingComma: true, disallowComments: false, allowEmptyContent: false });
  const first = errors[0];
  if (first) {
    const { line, column } = lineColumn(text, first.offset);
    const more = errors.length > 1 ? ` and ${errors.length - 1} more` : '';
    throw new Error(`${source}:${line}:${column}: invalid JSON (${printParseErrorCode(first.error)}${more})`);
  }
  return value;
}

function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset).split('\n');
  return { line: before.length, column: (before.at(-1)?.length ?? 0) + 1 };
}
