/**
 * A light syntactic check of a PromQL query, not a parser (the issue asks for no more): it must
 * be non-empty, on one line, and its brackets balanced outside string literals. Prometheus itself
 * reports anything else when the edge runs the query.
 */
const OPENERS: Readonly<Record<string, string>> = { ')': '(', ']': '[', '}': '{' };
const QUOTES = ['"', "'", '`'];

/** Index just after the string literal opened at `start`, or -1 when it is not closed. */
function skipString(query: string, start: number): number {
  const quote = query[start];
  for (let i = start + 1; i < query.length; i++) {
    if (query[i] === '\\' && quote !== '`') i++;
    else if (query[i] === quote) return i + 1;
  }
  return -1;
}

function bracketProblem(query: string): string | undefined {
  const open: string[] = [];
  let i = 0;
  while (i < query.length) {
    const c = query[i]!;
    if (QUOTES.includes(c)) {
      i = skipString(query, i);
      if (i < 0) return `string starting at position ${query.indexOf(c) + 1} is not closed`;
      continue;
    }
    if ('([{'.includes(c)) open.push(c);
    else if (OPENERS[c] !== undefined && open.pop() !== OPENERS[c])
      return `unbalanced '${c}' at position ${i + 1}`;
    i++;
  }
  return open.length > 0 ? `'${open[open.length - 1]}' is not closed` : undefined;
}

export function promqlProblem(query: string): string | undefined {
  if (query.trim() === '') return 'must not be empty';
  if (/[\r\n]/.test(query)) return 'must be on one line (no newlines)';
  return bracketProblem(query);
}
