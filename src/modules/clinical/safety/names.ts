/**
 * How drug names typed by people are compared: "Amoxycillin 500mg caps", "Pénicilline",
 * "sulpha drugs", "Diclofenac sodium" and "Cephalexin" must meet the table's "amoxicillin",
 * "penicillins", "sulfonamide antibacterials", "diclofenac" and "cefalexin". Keys are folded text
 * (src/lib/normalize.ts) with the British/American and old/new spellings made equal; what cannot
 * be a drug name (strengths, forms, salts, "allergy to") is dropped before a second try.
 */
import { foldText } from "../../../lib/normalize.ts";

/** The comparison key: folded, then ph→f, y→i, ae/oe→e ("sulphamethoxazole", "amoxycillin"). */
export function nameKey(text: string): string {
  return foldText(text).replace(/ph/g, "f").replace(/y/g, "i").replace(/[ao]e/g, "e");
}

/**
 * The key and the forms tried after it: singular and plural ("penicillin" → "penicillins"), and
 * the French and Latin final e ("pénicilline", "amoxicilline", "céfalexine").
 */
export function keyVariants(key: string): string[] {
  const stems = [key];
  for (const end of ["s", "es", "e"]) {
    if (key.length > end.length + 2 && key.endsWith(end)) stems.push(key.slice(0, -end.length));
  }
  return [...new Set(stems.flatMap((k) => [k, `${k}s`]))];
}

/** Strengths, forms, frequencies and allergy wording: never part of a drug's name. */
const NOISE = new Set(
  `mg g gm mcg ug µg microgram micrograms milligram milligrams gram grams ml l iu unit units mmol
  tablet tablets tab tabs capsule capsules cap caps syrup suspension susp solution soln injection inj
  infusion cream ointment gel drop drops eye ear nasal spray inhaler puff puffs sachet sachets powder
  granules suppository suppositories pessary patch lozenge elixir liquid oral dispersible chewable
  effervescent coated enteric ec mr sr xr xl er cr retard paediatric pediatric adult infant junior
  dt od bd bid tds tid qds qid prn daily weekly nocte mane stat once twice allergy allergies allergic to
  drug drugs group class family antibiotic medication medications medicine medicines reaction
  reactions rash hives urticaria anaphylaxis intolerance intolerant sensitivity sensitive all any
  type`.split(/\s+/),
);

/** Salt and ester names: "diclofenac sodium", "losartan potassium", "cefuroxime axetil". */
const SALTS = new Set(
  `hydrochloride hcl hydrobromide sodium potassium calcium magnesium sulfate sulphate phosphate
  maleate citrate acetate besilate besylate mesilate mesylate dimesylate tartrate succinate
  fumarate trihydrate dihydrate monohydrate hemihydrate sesquihydrate anhydrous hyclate semisodium
  axetil pivoxil medoxomil cilexetil erbumine arginine base`.split(/\s+/),
);

/** "500", "500mg", "500/125", "250mg/5ml", "0.5%": strengths, not names. */
const STRENGTH = /^(\d+([.,]\d+)?(mg|g|mcg|µg|ug|ml|l|iu|%|mmol|units?)?\/?)+$/i;

/** Words of a drug text, lower case without accents, brackets and commas turned into spaces. */
export function wordsOf(text: string): string[] {
  return text.normalize("NFKD").replace(/\p{M}+/gu, "").toLowerCase()
    .split(/[\s()[\]{};:"'’]+/u)
    .filter(Boolean);
}

/** The words left once strengths, forms and (with `salts`) salt names are dropped. */
export function nameWords(words: string[], salts: boolean): string[] {
  return words.filter((w) =>
    !NOISE.has(w.replace(/[.,]+$/, "")) && !STRENGTH.test(w) && !(salts && SALTS.has(w))
  );
}

/** Parts of a combination written out: "amoxicillin/clavulanic acid", "A + B", "A and B". */
export function combinationParts(text: string): string[] {
  return text.split(/\s*(?:\/|\+|&|,|\bwith\b|\band\b|\s-\s|-)\s*/).map((p) => p.trim())
    .filter(Boolean);
}
