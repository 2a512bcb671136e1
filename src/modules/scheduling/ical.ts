/**
 * Writing iCalendar text (RFC 5545) by hand: it is a few line-based rules, so a package would add
 * more than it saves. Text values are escaped (§3.3.11), lines end in CRLF and are folded at 75
 * octets (§3.1) without splitting a UTF-8 character.
 *
 * @example
 * ```ts
 * icsDocument([["VERSION", "2.0"]], [[["SUMMARY", text("Follow-up, room 2")]]]);
 * // "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nSUMMARY:Follow-up\\, room 2\r\n…"
 * ```
 */

/** A content line before folding: the name (with any parameters) and the value as written. */
export type Property = [name: string, value: string];

const MAX_OCTETS = 75;
const encoder = new TextEncoder();

/**
 * A TEXT value: backslash, semicolon and comma escaped, any line break as `\n`. Other control
 * characters are not allowed in TEXT, so they are dropped.
 */
export function text(value: string): string {
  return value
    .replace(/\r\n|\r|\n/g, "\n")
    // deno-lint-ignore no-control-regex
    .replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, "")
    .replace(/[\\;,\n]/g, (c) => (c === "\n" ? "\\n" : `\\${c}`));
}

/** A UTC DATE-TIME: `20300107T093000Z`. */
export function utc(instant: string | number | Date): string {
  return new Date(instant).toISOString().replace(/\.\d{3}/, "").replace(/[-:]/g, "");
}

/**
 * One content line folded into physical lines of at most 75 octets each, the continuation lines
 * starting with a space (which counts), each ending in CRLF. A character is never split.
 */
export function fold(line: string): string {
  if (encoder.encode(line).length <= MAX_OCTETS) return `${line}\r\n`;
  let out = "";
  let current = "";
  let octets = 0;
  for (const ch of line) {
    const size = encoder.encode(ch).length;
    if (octets + size > MAX_OCTETS) {
      out += `${current}\r\n`;
      current = " ";
      octets = 1;
    }
    current += ch;
    octets += size;
  }
  return `${out}${current}\r\n`;
}

const lines = (props: Property[]) => props.map(([name, value]) => fold(`${name}:${value}`));

/** A VCALENDAR with its own properties and one VEVENT per property list. */
export function icsDocument(calendar: Property[], events: Property[][]): string {
  const parts = ["BEGIN:VCALENDAR\r\n", ...lines(calendar)];
  for (const event of events) parts.push("BEGIN:VEVENT\r\n", ...lines(event), "END:VEVENT\r\n");
  parts.push("END:VCALENDAR\r\n");
  return parts.join("");
}
