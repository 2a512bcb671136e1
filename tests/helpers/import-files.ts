/**
 * Patient import files for tests: rows with random 8-letter names (no two alike, so no row is a
 * likely duplicate of another) and national ids `<prefix>-<n>`.
 */
import { prng } from "./random.ts";

export function importFiles(seed: number) {
  const random = prng(seed);
  const name = () => {
    const s = Array.from({ length: 8 }, () => String.fromCharCode(97 + Math.floor(random() * 26)));
    return s[0].toUpperCase() + s.slice(1).join("");
  };
  /** A CSV of `rows` patients, and their national ids. */
  const csvOf = (rows: number, idPrefix: string) => {
    const lines = ["givenName,familyName,birthDate,nationalId"];
    const ids: string[] = [];
    for (let i = 0; i < rows; i++) {
      ids.push(`${idPrefix}-${i}`);
      lines.push(`${name()},${name()},19${50 + (i % 50)}-0${1 + (i % 9)}-1${i % 10},${ids[i]}`);
    }
    return { csv: lines.join("\n") + "\n", ids };
  };
  return { name, csvOf };
}
