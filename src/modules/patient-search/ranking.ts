/**
 * How a query is read and how a candidate scores against it: pure functions, tested through the
 * search service.
 */
import { foldId, nameParts, phoneDigits, withinOneEdit } from "../../lib/normalize.ts";
import { reversedPhone } from "./terms.ts";

interface ParsedQuery {
  /** Exact identifier terms (`d:`/`m:`) the whole query could be. */
  idTerms: string[];
  /** Phone prefix term (reversed last digits), when the query looks like a phone number. */
  phonePrefix: string | null;
  /** Name tokens (folded, without digits), deduplicated. */
  tokens: string[];
}

/** `mrnOf(n)` formats a bare number as the organisation's MRN (`42` → `MRN000042`). */
export function parseQuery(q: string, mrnOf: (n: number) => string): ParsedQuery {
  const folded = foldId(q);
  const idTerms = new Set<string>();
  if (folded) {
    idTerms.add(`d:${folded}`);
    idTerms.add(`m:${folded}`);
    if (/^\d{1,8}$/.test(folded)) idTerms.add(`m:${foldId(mrnOf(Number(folded)))}`);
  }
  const digits = phoneDigits(q);
  const phonePrefix = /^[+0-9 ().-]+$/.test(q.trim()) && digits.length >= 6
    ? `p:${reversedPhone(digits.slice(-9))}`
    : null;
  const tokens = [...new Set(nameParts(q).filter((t) => !/\d/.test(t)))];
  return { idTerms: [...idTerms], phonePrefix, tokens };
}

/** 3 exact, 2 prefix, 1 one edit away (tokens of 3+ letters), 0 no match. */
function tokenScore(token: string, part: string): number {
  if (part === token) return 3;
  if (part.startsWith(token)) return 2;
  if (token.length >= 3 && withinOneEdit(token, part)) return 1;
  return 0;
}

/** The score of name parts against every token; 0 when some token matches nothing. */
export function nameScore(tokens: string[], parts: string[]): number {
  let total = 0;
  for (const token of tokens) {
    let best = 0;
    for (const part of parts) best = Math.max(best, tokenScore(token, part));
    if (best === 0) return 0;
    total += best;
  }
  return total;
}
