/**
 * The client's file name is display metadata only: it never reaches the file system (storage
 * keys are ids). It is still cleaned, because it comes back in lists, in Content-Disposition and
 * in the UI: no path, no control or bidirectional-override characters, bounded length.
 */

const MAX_LENGTH = 200;
// C0/C1 controls, and the bidi overrides that make "gpj.exe" display as "exe.jpg".
// deno-lint-ignore no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

const EXTENSIONS: Record<string, string> = {
  "application/pdf": "pdf",
  "image/png": "png",
  "image/jpeg": "jpg",
  "image/webp": "webp",
};

/** `../../etc/passwd` → `passwd`; `C:\\x\\scan.png` → `scan.png`; nothing usable → `document.pdf`. */
export function sanitizeFileName(raw: string, mediaType: string): string {
  const base = raw.split(/[/\\]/).pop() ?? "";
  let name = base.replace(UNSAFE, "").trim();
  // Leading dots would make a hidden file of a download, and "." / ".." mean nothing.
  name = name.replace(/^\.+/, "").trim();
  if (name.length > MAX_LENGTH) {
    const dot = name.lastIndexOf(".");
    const ext = dot > 0 && name.length - dot <= 10 ? name.slice(dot) : "";
    name = name.slice(0, MAX_LENGTH - ext.length) + ext;
  }
  return name || `document.${EXTENSIONS[mediaType] ?? "bin"}`;
}

/** Extensions that already name each accepted type; anything else is replaced. */
const ALIASES: Record<string, string[]> = { jpg: ["jpg", "jpeg"] };

/**
 * The name a download is offered under: the stored name with the extension of the type the
 * bytes were detected as (`scan.bat` holding a PDF → `scan.pdf`), so that the saved file opens
 * as what it is and never as what the uploader called it. The stored name stays in the metadata.
 */
export function downloadName(fileName: string, mediaType: string): string {
  const ext = EXTENSIONS[mediaType] ?? "bin";
  // Only a short run of letters and digits after the last dot is an extension: "Dr. Smith
  // referral" has none and keeps its whole name.
  const m = /^(.+)\.([A-Za-z0-9]{1,10})$/.exec(fileName);
  const [stem, current] = m ? [m[1], m[2].toLowerCase()] : [fileName, ""];
  if ((ALIASES[ext] ?? [ext]).includes(current)) return fileName;
  return `${stem}.${ext}`;
}

/**
 * `attachment` with an ASCII fallback name and the exact name in RFC 8187 `filename*`, so that
 * no quote, backslash or non-ASCII character can break out of the header.
 */
export function contentDisposition(fileName: string): string {
  const ascii = fileName.replace(/[^\x20-\x7e]|["\\%;]/g, "_");
  const encoded = encodeURIComponent(fileName).replace(
    /['()*]/g,
    (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}
