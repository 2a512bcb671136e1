/**
 * An incremental XML scanner for the parts of an XLSX file: fed text as it is inflated, it calls
 * back for each start tag, end tag and piece of text, and keeps no more than one tag (at most
 * MAX_TAG_CHARS) plus a few characters of lookahead between feeds. Text is handed over in pieces
 * as it arrives, never gathered here, so the handler decides what to keep and can stop a cell
 * that grows past its limit before it is held whole.
 *
 * It reads what spreadsheet writers produce: elements, attributes, the five named entities and
 * character references, CDATA, comments and processing instructions. A DOCTYPE is refused: Office
 * files never carry one, and entity declarations are how XML expands a few bytes into gigabytes.
 * Namespace prefixes are dropped (`x:c` is `c`), as the SpreadsheetML names do not collide.
 */
import { UnreadableError } from "./import-limits.ts";

export interface XmlHandler {
  open(name: string, attrs: Record<string, string>): void;
  close(name: string): void;
  /** A piece of decoded text; one text node may arrive in several pieces. */
  text(piece: string): void;
}

/** Far above any tag a writer emits (a root element with its namespaces is ~2 KB). */
export const MAX_TAG_CHARS = 64 * 1024;

type Mode = "text" | "cdata" | "comment" | "pi";
const ENDS: Record<Exclude<Mode, "text">, string> = { cdata: "]]>", comment: "-->", pi: "?>" };
const TAG_END = /["'>]/g;
const ATTR = /([^\s=/]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g;
const ENTITY = /&(?:#x([0-9a-fA-F]{1,6})|#([0-9]{1,7})|(lt|gt|amp|quot|apos));/g;
const NAMED: Record<string, string> = { lt: "<", gt: ">", amp: "&", quot: '"', apos: "'" };

export const decodeEntities = (s: string) =>
  s.indexOf("&") < 0 ? s : s.replace(ENTITY, (_, hex, dec, named) => {
    if (named) return NAMED[named];
    const code = hex ? parseInt(hex, 16) : Number(dec);
    return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : "\uFFFD";
  });

const localName = (qname: string) => qname.slice(qname.indexOf(":") + 1);

export class XmlScanner {
  #buf = "";
  #mode: Mode = "text";

  constructor(private readonly h: XmlHandler) {}

  feed(chunk: string) {
    const buf = this.#buf + chunk;
    let pos = 0;
    while (pos < buf.length) {
      if (this.#mode !== "text") {
        const end = buf.indexOf(ENDS[this.#mode], pos);
        // Keep the last two characters: the terminator may be split across feeds.
        const upTo = end < 0 ? Math.max(pos, buf.length - 2) : end;
        if (this.#mode === "cdata" && upTo > pos) this.h.text(buf.slice(pos, upTo));
        if (end < 0) {
          pos = upTo;
          break;
        }
        pos = end + ENDS[this.#mode].length;
        this.#mode = "text";
        continue;
      }
      const lt = buf.indexOf("<", pos);
      if (lt < 0) {
        pos = this.#text(buf, pos, buf.length);
        break;
      }
      if (lt > pos) this.#text(buf, pos, lt, true);
      pos = lt;
      const next = this.#markup(buf, pos);
      if (next < 0) break;
      pos = next;
    }
    this.#buf = buf.slice(pos);
    if (this.#buf.length > MAX_TAG_CHARS) {
      throw new UnreadableError(`an XML tag is longer than ${MAX_TAG_CHARS} characters`);
    }
  }

  /** The part ended: anything left over is an unfinished tag or section. */
  end() {
    if (this.#mode !== "text" || this.#buf.includes("<")) {
      throw new UnreadableError("an XML part ends inside a tag");
    }
    if (this.#buf) this.h.text(decodeEntities(this.#buf));
    this.#buf = "";
  }

  /** Hands over text up to `end`, holding back a reference that may continue in the next feed. */
  #text(buf: string, from: number, end: number, whole = false): number {
    if (!whole) {
      const amp = buf.lastIndexOf("&", end - 1);
      if (amp >= from && buf.indexOf(";", amp) < 0 && end - amp < 12) end = amp;
    }
    if (end > from) this.h.text(decodeEntities(buf.slice(from, end)));
    return end;
  }

  /** Reads the markup at `pos` ("<…"); answers where it ends, or -1 when it is incomplete. */
  #markup(buf: string, pos: number): number {
    if (buf.charCodeAt(pos + 1) === 0x21 /* ! */) {
      if (buf.startsWith("<!--", pos)) return this.#enter("comment", pos + 4);
      if (buf.startsWith("<![CDATA[", pos)) return this.#enter("cdata", pos + 9);
      const rest = buf.slice(pos, pos + 9);
      if (rest.length < 9 && ("<![CDATA[".startsWith(rest) || "<!--".startsWith(rest))) return -1;
      throw new UnreadableError("the XML declares a DOCTYPE or another construct we do not read");
    }
    if (buf.charCodeAt(pos + 1) === 0x3f /* ? */) return this.#enter("pi", pos + 2);
    // The tag ends at the first ">" outside quoted attribute values.
    let i = pos + 1;
    for (;;) {
      TAG_END.lastIndex = i;
      const m = TAG_END.exec(buf);
      if (!m) return -1;
      if (m[0] === ">") {
        i = m.index;
        break;
      }
      const close = buf.indexOf(m[0], m.index + 1);
      if (close < 0) return -1;
      i = close + 1;
    }
    this.#tag(buf.slice(pos + 1, i));
    return i + 1;
  }

  #enter(mode: Mode, pos: number) {
    this.#mode = mode;
    return pos;
  }

  #tag(tag: string) {
    if (tag.charCodeAt(0) === 0x2f /* / */) {
      this.h.close(localName(tag.slice(1).trim()));
      return;
    }
    const selfClosing = tag.endsWith("/");
    const body = selfClosing ? tag.slice(0, -1) : tag;
    const nameEnd = body.search(/\s|$/);
    const name = localName(body.slice(0, nameEnd));
    if (!name) throw new UnreadableError("an XML tag has no name");
    const attrs: Record<string, string> = {};
    ATTR.lastIndex = nameEnd;
    for (let m = ATTR.exec(body); m; m = ATTR.exec(body)) {
      attrs[localName(m[1])] = decodeEntities(m[2] ?? m[3]);
    }
    this.h.open(name, attrs);
    if (selfClosing) this.h.close(name);
  }
}
