/** Small helpers that write the numbers and names of a warning the way a doctor reads them. */
import { CLASSES } from "./lookup.ts";
import type { Frequency } from "./types.ts";

export const capitalise = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** "a penicillin" for a class, as the table words it. */
export const memberOf = (cls: string) => CLASSES.get(cls)?.member ?? `a member of ${cls}`;

const round = (n: number) => Number(n.toPrecision(4)).toString();

/** 6000 → "6 g", 150 → "150 mg", 0.5 → "500 micrograms". */
export function mgText(mg: number): string {
  if (mg >= 1000) return `${round(mg / 1000)} g`;
  if (mg < 1) return `${round(mg * 1000)} micrograms`;
  return `${round(mg)} mg`;
}

export function frequencyText(f: Frequency): string {
  if ("timesPerDay" in f) {
    return f.timesPerDay === 1 ? "once a day" : `${f.timesPerDay} times a day`;
  }
  if ("everyHours" in f) return `every ${f.everyHours} hours`;
  return `as needed, up to ${f.maxPerDay} times a day`;
}
