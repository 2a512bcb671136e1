/**
 * A dose as milligrams. mg, g and micrograms convert directly. A tablet or capsule converts only
 * when the medication names one strength ("Paracetamol 500 mg tablets"), and a millilitre only
 * when it names a concentration ("Amoxicillin 250 mg/5 mL suspension"); a combination strength
 * ("Coartem 20/120 mg"), IU, drops and puffs do not convert, and such doses are not checked.
 */

const MG_PER: Record<string, number> = { mg: 1, g: 1000, mcg: 0.001 };

/** The unit as a symbol: "Tablets" → "tablet", "µg" → "mcg", "grams" → "g". */
export function unitSymbol(unit: string): string {
  const u = unit.trim().toLowerCase().replace(/s$/, "");
  if (["mg", "milligram"].includes(u)) return "mg";
  if (["g", "gm", "gram"].includes(u)) return "g";
  if (["mcg", "µg", "ug", "microgram"].includes(u)) return "mcg";
  if (["ml", "millilitre", "milliliter"].includes(u)) return "ml";
  if (["tablet", "tab"].includes(u)) return "tablet";
  if (["capsule", "cap"].includes(u)) return "capsule";
  return u;
}

const AMOUNT = String.raw`(\d+(?:\.\d+)?)\s*(mg|g|mcg|µg|micrograms?)\b`;

/** The one strength per tablet a medication names, in mg; null when none or several. */
export function strengthMg(text: string): number | null {
  if (/\d\s*\/\s*\d/.test(text)) return null; // 20/120 mg: a combination strength
  const found = [...text.toLowerCase().matchAll(new RegExp(AMOUNT, "g"))]
    .filter((m) => !/^\s*(\/|per\b)/.test(text.toLowerCase().slice(m.index! + m[0].length)))
    .map((m) => Number(m[1]) * MG_PER[unitSymbol(m[2])]);
  return new Set(found).size === 1 ? found[0] : null;
}

/** The concentration a medication names, in mg per mL ("250 mg/5 mL" → 50); null when none. */
export function concentrationMgPerMl(text: string): number | null {
  const m = new RegExp(`${AMOUNT}\\s*(?:/|per|in)\\s*(\\d+(?:\\.\\d+)?)?\\s*ml\\b`, "i")
    .exec(text.toLowerCase());
  if (!m) return null;
  return (Number(m[1]) * MG_PER[unitSymbol(m[2])]) / Number(m[3] ?? 1);
}

/** mg in one `unit` of `medication`, or null when it does not convert. */
function mgPerUnit(unit: string, medication: string): number | null {
  const u = unitSymbol(unit);
  if (u in MG_PER) return MG_PER[u];
  if (u === "tablet" || u === "capsule") return strengthMg(medication);
  if (u === "ml") return concentrationMgPerMl(medication);
  return null;
}

/** Parsing the medication text is most of the cost and a clinic repeats a few hundred. */
const perUnitCache = new Map<string, number | null>();

/** One dose in mg, or null when the unit does not convert. */
export function doseMg(dose: number, unit: string, medication: string): number | null {
  const key = `${unit}\u0000${medication}`;
  let perUnit = perUnitCache.get(key);
  if (perUnit === undefined) {
    if (perUnitCache.size >= 10_000) perUnitCache.clear();
    perUnitCache.set(key, perUnit = mgPerUnit(unit, medication));
  }
  return perUnit === null ? null : dose * perUnit;
}
