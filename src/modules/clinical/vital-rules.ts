/**
 * Vital signs: what each code measures, the units accepted (UCUM), the conversion to the stored
 * unit, the instrument's precision, what is physiologically impossible, and how a value is
 * flagged.
 *
 * Flags (`critical_low | low | normal | high | critical_high`):
 * - Adults (16 and over): the NEWS2 bands. Royal College of Physicians, "National Early Warning
 *   Score (NEWS) 2: Standardising the assessment of acute-illness severity in the NHS", London,
 *   2017, chart 1. A parameter scoring 3 is critical; 1 or 2 is low or high; 0 is normal.
 *   SpO2 uses scale 1 (no hypercapnic respiratory failure recorded).
 * - Children (under 16): the normal ranges by age of the Advanced Paediatric Life Support manual
 *   (Advanced Life Support Group, "Advanced Paediatric Life Support: A Practical Approach to
 *   Emergencies", 6th ed., Wiley-Blackwell, 2016, table 1.1) for respiratory rate, heart rate and
 *   systolic pressure. Outside the range is low or high; further out than a fifth of the range's
 *   bound is critical (our rule: APLS gives ranges, not alert levels). SpO2 below 92% is
 *   critical and 92-94% low (British Thoracic Society guideline for oxygen use in healthcare and
 *   emergency settings, 2017); temperature as for adults.
 * - Measurements NEWS2 does not score: diastolic pressure (ACC/AHA 2017 hypertension guideline:
 *   ≥ 90 high, ≥ 120 critical, a hypertensive crisis; < 60 low, < 40 critical), blood glucose in
 *   mmol/L (American Diabetes Association, Standards of Care 2024, section 6: < 3.9
 *   hypoglycaemia level 1 (low), < 3.0 level 2 (critical); random ≥ 11.1 high, ≥ 16.7 critical),
 *   pain on a 0-10 numeric scale (4-6 moderate: high; 7-10 severe: critical_high), BMI (WHO
 *   adult classes: < 16 critical_low, < 18.5 low, ≥ 25 high, ≥ 40 critical_high; children's
 *   BMI needs growth charts and is not flagged). Weight, height and head circumference are not
 *   flagged on their own.
 */

export const VITAL_CODES = [
  "bp-systolic",
  "bp-diastolic",
  "pulse",
  "temperature",
  "resp-rate",
  "spo2",
  "weight",
  "height",
  "head-circumference",
  "glucose",
  "pain",
] as const;
export type VitalCode = typeof VITAL_CODES[number];
export type Flag = "critical_low" | "low" | "normal" | "high" | "critical_high";

interface Measure {
  label: string;
  /** The stored unit (UCUM). */
  unit: string;
  /** Other units accepted, each with its conversion to the stored unit. */
  alternatives?: Record<string, (v: number) => number>;
  /** Decimal places the instrument reads to. */
  decimals: number;
  /** Physiologically possible, in the stored unit (inclusive). */
  min: number;
  max: number;
}

export const MEASURES: Record<VitalCode | "bmi", Measure> = {
  "bp-systolic": { label: "systolic pressure", unit: "mm[Hg]", decimals: 0, min: 20, max: 300 },
  "bp-diastolic": { label: "diastolic pressure", unit: "mm[Hg]", decimals: 0, min: 10, max: 200 },
  pulse: { label: "pulse", unit: "/min", decimals: 0, min: 20, max: 300 },
  temperature: {
    label: "temperature",
    unit: "Cel",
    alternatives: { "[degF]": (f) => (f - 32) * 5 / 9 },
    decimals: 1,
    min: 25,
    max: 45,
  },
  "resp-rate": { label: "respiratory rate", unit: "/min", decimals: 0, min: 2, max: 100 },
  spo2: { label: "oxygen saturation", unit: "%", decimals: 0, min: 30, max: 100 },
  weight: {
    label: "weight",
    unit: "kg",
    alternatives: { "[lb_av]": (lb) => lb * 0.45359237, g: (g) => g / 1000 },
    decimals: 2,
    min: 0.3,
    max: 400,
  },
  height: {
    label: "height",
    unit: "cm",
    alternatives: { "[in_i]": (i) => i * 2.54, m: (m) => m * 100 },
    decimals: 1,
    min: 20,
    max: 250,
  },
  "head-circumference": {
    label: "head circumference",
    unit: "cm",
    alternatives: { "[in_i]": (i) => i * 2.54 },
    decimals: 1,
    min: 20,
    max: 70,
  },
  glucose: {
    label: "blood glucose",
    unit: "mmol/L",
    // Glucose: 180.16 g/mol, so 1 mmol/L = 18.016 mg/dL.
    alternatives: { "mg/dL": (mg) => mg / 18.016 },
    decimals: 1,
    min: 0.5,
    max: 60,
  },
  pain: { label: "pain score", unit: "{score}", decimals: 0, min: 0, max: 10 },
  bmi: { label: "body mass index", unit: "kg/m2", decimals: 1, min: 5, max: 150 },
};

const round = (v: number, decimals: number) => {
  const f = 10 ** decimals;
  return Math.round(v * f) / f;
};

/** The value in the stored unit, rounded; or why it cannot be taken. */
export function normalise(
  code: VitalCode,
  value: number,
  unit: string,
): { value: number; unit: string } | { problem: string } {
  const m = MEASURES[code];
  const convert = unit === m.unit ? (v: number) => v : m.alternatives?.[unit];
  if (!convert) {
    const accepted = [m.unit, ...Object.keys(m.alternatives ?? {})].join(", ");
    return { problem: `unit ${unit} is not one of ${accepted}` };
  }
  const stored = round(convert(value), m.decimals);
  if (!Number.isFinite(stored) || stored < m.min || stored > m.max) {
    return {
      problem: `${m.label} of ${stored} ${m.unit} is not possible (${m.min}-${m.max} ${m.unit})`,
    };
  }
  return { value: stored, unit: m.unit };
}

/** Bands as [upper bound inclusive, flag], ascending; the last band has no bound. */
type Bands = [number, Flag][];
const bandOf = (bands: Bands, v: number, last: Flag): Flag => {
  for (const [upTo, flag] of bands) if (v <= upTo) return flag;
  return last;
};

/** NEWS2 chart 1, in the stored units. */
const NEWS2: Partial<Record<VitalCode, { bands: Bands; last: Flag }>> = {
  "resp-rate": {
    bands: [[8, "critical_low"], [11, "low"], [20, "normal"], [24, "high"]],
    last: "critical_high",
  },
  spo2: { bands: [[91, "critical_low"], [95, "low"]], last: "normal" },
  "bp-systolic": {
    bands: [[90, "critical_low"], [110, "low"], [219, "normal"]],
    last: "critical_high",
  },
  pulse: {
    bands: [[40, "critical_low"], [50, "low"], [90, "normal"], [130, "high"]],
    last: "critical_high",
  },
  temperature: {
    bands: [[35.0, "critical_low"], [36.0, "low"], [38.0, "normal"]],
    last: "high",
  },
};

/** APLS normal ranges by age (years, exclusive upper bound). */
const APLS: {
  under: number;
  resp: [number, number];
  pulse: [number, number];
  sbp: [number, number];
}[] = [
  { under: 1, resp: [30, 40], pulse: [110, 160], sbp: [70, 90] },
  { under: 2, resp: [25, 35], pulse: [100, 150], sbp: [80, 95] },
  { under: 5, resp: [25, 30], pulse: [95, 140], sbp: [80, 100] },
  { under: 12, resp: [20, 25], pulse: [80, 120], sbp: [90, 110] },
  { under: 16, resp: [15, 20], pulse: [60, 100], sbp: [100, 120] },
];

const rangeFlag = ([lo, hi]: [number, number], v: number): Flag =>
  v < lo * 0.8
    ? "critical_low"
    : v < lo
    ? "low"
    : v > hi * 1.2
    ? "critical_high"
    : v > hi
    ? "high"
    : "normal";

const OTHER: Partial<Record<VitalCode | "bmi", { bands: Bands; last: Flag }>> = {
  "bp-diastolic": {
    bands: [[39, "critical_low"], [59, "low"], [89, "normal"], [119, "high"]],
    last: "critical_high",
  },
  glucose: {
    bands: [[2.9, "critical_low"], [3.8, "low"], [11.0, "normal"], [16.6, "high"]],
    last: "critical_high",
  },
  pain: { bands: [[3, "normal"], [6, "high"]], last: "critical_high" },
  bmi: {
    bands: [[15.9, "critical_low"], [18.4, "low"], [24.9, "normal"], [39.9, "high"]],
    last: "critical_high",
  },
};

/**
 * The flag of a value in its stored unit, for a patient of `ageYears` (null: age unknown, read
 * as an adult). Unflagged measurements (weight, height, head circumference) are normal.
 */
export function flagOf(code: VitalCode | "bmi", value: number, ageYears: number | null): Flag {
  const child = ageYears !== null && ageYears < 16;
  if (child) {
    const band = APLS.find((b) => ageYears < b.under)!;
    if (code === "resp-rate") return rangeFlag(band.resp, value);
    if (code === "pulse") return rangeFlag(band.pulse, value);
    if (code === "bp-systolic") return rangeFlag(band.sbp, value);
    if (code === "spo2") return value < 92 ? "critical_low" : value <= 94 ? "low" : "normal";
    if (code === "bmi") return "normal";
  }
  const news = code !== "bmi" ? NEWS2[code] : undefined;
  if (news) return bandOf(news.bands, value, news.last);
  const other = OTHER[code];
  if (other) return bandOf(other.bands, value, other.last);
  return "normal";
}

/** BMI from kg and cm, rounded to a tenth. */
export const bmiOf = (kg: number, cm: number) => round(kg / (cm / 100) ** 2, 1);
