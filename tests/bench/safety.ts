/**
 * Prescription safety check benchmark: `checkPrescription` in-process, no server, since it is a
 * pure function the prescription write will call inside its request.
 *
 *   deno task bench:safety
 *
 * A realistic check: 4 new items (an antimalarial combination, an NSAID, an antibiotic given as a
 * suspension, paracetamol as tablets), 3 active prescription items, 3 current medications typed
 * with brands and strengths, 3 allergies (one inactive); it raises allergy, duplicate,
 * interaction and dose warnings. Run BENCH_CHECKS (100,000) times after BENCH_WARMUP (5,000),
 * each call timed alone; prints µs per check (p50, p99, mean, max).
 *
 * Two scenarios: "same names" repeats the same texts, as a clinic does all day (names resolve
 * from the bounded cache); "new names" makes every medication text unique (a varying strength),
 * so each check resolves its free text from scratch, the worst case.
 */
import { checkPrescription, type SafetyInput } from "../../src/modules/clinical/safety/check.ts";
import { table } from "./load.ts";

const CHECKS = Number(Deno.env.get("BENCH_CHECKS") ?? 100_000);
const WARMUP = Number(Deno.env.get("BENCH_WARMUP") ?? 5_000);

function input(n: number | null): SafetyInput {
  // a trailing number is dropped as a strength when names are read: same meaning, new text
  const s = (mg: number) => `${mg} mg${n === null ? "" : ` ${n}`}`;
  return {
    items: [
      {
        medication: `Coartem 20/120 ${n ?? ""}`,
        genericName: "artemether-lumefantrine",
        dose: 4,
        unit: "tablet",
        route: "oral",
        frequency: { timesPerDay: 2 },
        durationDays: 3,
      },
      {
        medication: `Brufen ${s(400)}`,
        genericName: "ibuprofen",
        dose: 800,
        unit: "mg",
        route: "oral",
        frequency: { asNeeded: true, maxPerDay: 6 },
        durationDays: 5,
      },
      {
        medication: `Amoxicillin ${s(250)}/5 mL suspension`,
        genericName: "amoxicillin",
        dose: 10,
        unit: "mL",
        route: "oral",
        frequency: { everyHours: 8 },
        durationDays: 7,
      },
      {
        medication: `Panadol ${s(500)} tablets`,
        genericName: "paracetamol",
        dose: 2,
        unit: "tablet",
        route: "oral",
        frequency: { timesPerDay: 4 },
        durationDays: 5,
      },
    ],
    patient: {
      ageYears: 34,
      weightKg: 61,
      allergies: [
        { substance: "Penicillin", status: "active" },
        { substance: "Sulpha drugs", status: "active" },
        { substance: "Aspirin", status: "inactive" },
      ],
      currentMedications: [
        { name: `Warfarin ${s(5)}` },
        { name: `Renitec ${s(10)}` },
        { name: `Ciprofloxacin ${s(500)}` },
      ],
      activePrescriptionItems: [
        { genericName: "rifampicin", prescriptionNumber: "RX-202501-0001" },
        { genericName: "TLD", prescriptionNumber: "RX-202501-0001" },
        { genericName: "Diclofenac sodium", prescriptionNumber: "RX-202501-0002" },
      ],
    },
  };
}

function run(label: string, make: (i: number) => SafetyInput): string[] {
  const inputs = Array.from({ length: 1000 }, (_, i) => make(i));
  let warnings = 0;
  for (let i = 0; i < WARMUP; i++) checkPrescription(inputs[i % inputs.length]);
  const times = new Float64Array(CHECKS);
  const started = performance.now();
  for (let i = 0; i < CHECKS; i++) {
    const one = make(i);
    const t0 = performance.now();
    warnings += checkPrescription(one).warnings.length;
    times[i] = (performance.now() - t0) * 1000;
  }
  const wall = performance.now() - started;
  times.sort();
  const at = (q: number) => times[Math.min(CHECKS - 1, Math.floor(q * CHECKS))].toFixed(1);
  const mean = (times.reduce((a, b) => a + b, 0) / CHECKS).toFixed(1);
  return [
    label,
    at(0.5),
    at(0.99),
    mean,
    times[CHECKS - 1].toFixed(0),
    (warnings / CHECKS).toFixed(1),
    `${(wall / 1000).toFixed(2)} s`,
  ];
}

const same = input(null);
console.log(
  `[safety-bench] ${CHECKS.toLocaleString("en")} checks per scenario ` +
    `(4 new items, 3 active prescription items, 3 current medications, 3 allergies)`,
);
console.log(table([
  ["scenario", "p50 µs", "p99 µs", "mean µs", "max µs", "warnings", "wall"],
  run("same names", () => same),
  run("new names", (i) => input(i)),
]));
