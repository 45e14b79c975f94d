import { OPTIONS, SECRET_ENV, type OptionSpec } from './options.js';

/**
 * The commented config file `nex keeper init` writes: every option with its documentation,
 * environment variable and flag, set to its default (or to `overrides`). Unset options are
 * written as null (meaning: not set).
 */
export function configTemplate(overrides: Record<string, unknown> = {}): string {
  const lines: string[] = [
    '// NEX prover keeper configuration (JSON with comments). See docs/operator.md.',
    '// Precedence: this file < NEX_KEEPER_* environment variables < command-line flags.',
    `// The signing key is NEVER read from this file: set ${SECRET_ENV.privateKey}, or keystoreFile`,
    `// (password from ${SECRET_ENV.keystorePassword} or an interactive prompt).`,
    '{',
  ];
  const groups = new Map<string, OptionSpec[]>();
  for (const o of OPTIONS) {
    const g = o.key.includes('.') ? o.key.split('.')[0]! : '';
    groups.set(g, [...(groups.get(g) ?? []), o]);
  }
  const entries: string[][] = [];
  for (const [group, opts] of groups) {
    const body = opts.map((o) => {
      const name = o.key.split('.').at(-1)!;
      const value = o.key in overrides ? overrides[o.key] : (o.default ?? null);
      const pad = group ? '    ' : '  ';
      return [`${pad}// ${o.doc}`, `${pad}// env ${o.env}, flag ${o.flag}`, `${pad}${JSON.stringify(name)}: ${JSON.stringify(value)}`];
    });
    if (group) entries.push([`  ${JSON.stringify(group)}: {`, ...joinEntries(body), '  }']);
    else for (const b of body) entries.push(b);
  }
  lines.push(...joinEntries(entries), '}', '');
  return lines.join('\n');
}

function joinEntries(entries: string[][]): string[] {
  return entries.flatMap((e, i) => (i < entries.length - 1 ? [...e.slice(0, -1), `${e.at(-1)},`] : e));
}
