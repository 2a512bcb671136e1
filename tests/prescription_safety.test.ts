/**
 * The prescription safety check (src/modules/clinical/safety): a table of cases, each a
 * prescription and a patient with the exact warnings expected (kind, severity, item, in order),
 * then the integrity of the shipped clinical tables.
 */
import assert from "node:assert/strict";
import {
  checkPrescription,
  type SafetyItem,
  type SafetyPatient,
  type Severity,
  type WarningKind,
} from "../src/modules/clinical/safety/check.ts";
import { BRAND_NAMES } from "../src/modules/clinical/safety/brand-table.ts";
import { DRUG_CLASSES } from "../src/modules/clinical/safety/class-table.ts";
import { CROSS_REACTIVITY } from "../src/modules/clinical/safety/cross-reactivity-table.ts";
import { dosesPerDay } from "../src/modules/clinical/safety/dose-rule.ts";
import { MAX_DOSES } from "../src/modules/clinical/safety/dose-table.ts";
import {
  CLASSES,
  INTERACTIONS,
  NAME_COLLISIONS,
  SUBSTANCE_BY_NAME,
} from "../src/modules/clinical/safety/lookup.ts";
import { resolveDrug } from "../src/modules/clinical/safety/resolve.ts";
import { SUBSTANCES } from "../src/modules/clinical/safety/substance-table.ts";
import { SEVERITIES } from "../src/modules/clinical/safety/types.ts";
import { doseMg } from "../src/modules/clinical/safety/units.ts";

const TDS = { timesPerDay: 3 };
const QDS = { timesPerDay: 4 };

/** An oral item; `medication` defaults to the generic name. */
function rx(
  genericName: string,
  dose = 500,
  unit = "mg",
  frequency: SafetyItem["frequency"] = TDS,
  more: Partial<SafetyItem> = {},
): SafetyItem {
  return {
    medication: genericName,
    genericName,
    dose,
    unit,
    route: "oral",
    frequency,
    durationDays: 5,
    ...more,
  };
}

const ADULT: SafetyPatient = {
  ageYears: 40,
  weightKg: 70,
  allergies: [],
  currentMedications: [],
  activePrescriptionItems: [],
};

const allergic = (...substances: string[]) => ({
  allergies: substances.map((substance) => ({ substance, status: "active" as const })),
});
const taking = (...names: string[]) => ({ currentMedications: names.map((name) => ({ name })) });
const onRx = (...genericNames: string[]) => ({
  activePrescriptionItems: genericNames.map((genericName, i) => ({
    genericName,
    prescriptionNumber: `RX-202501-000${i + 1}`,
  })),
});

interface Case {
  name: string;
  items: SafetyItem[];
  patient?: Partial<SafetyPatient>;
  /** Exact warnings, in order: kind, severity, item. */
  expect: [WarningKind, Severity, number][];
  unchecked?: string[];
  /** Each must match the detail of the warning at the same position. */
  details?: (RegExp | undefined)[];
}

const CASES: Case[] = [
  // Allergy
  {
    name: "an allergy typed 'Penicillin' flags amoxicillin as a class match (high)",
    items: [rx("amoxicillin")],
    patient: allergic("Penicillin"),
    expect: [["allergy", "high", 0]],
    details: [/Amoxicillin is a penicillin.*"Penicillin" \(penicillins\)/],
  },
  {
    name: "allergy text is normalised: 'PÉNICILLINES ' and 'penicillin group' match too",
    items: [rx("amoxicillin")],
    patient: allergic("PÉNICILLINES ", "penicillin group"),
    expect: [["allergy", "high", 0], ["allergy", "high", 0]],
  },
  {
    name: "an allergy to the brand Amoxil is the same substance as amoxicillin (critical)",
    items: [rx("amoxicillin")],
    patient: allergic("Amoxil"),
    expect: [["allergy", "critical", 0]],
    details: [/same substance/],
  },
  {
    name: "an amoxicillin allergy covers ampicillin, another penicillin (high)",
    items: [rx("ampicillin")],
    patient: allergic("amoxycillin"),
    expect: [["allergy", "high", 0]],
    details: [/Ampicillin is a penicillin.*amoxicillin, also a penicillin/],
  },
  {
    name: "a penicillin allergy against a cephalosporin is cross-reactivity (moderate), " +
      "against a carbapenem low",
    items: [rx("cephalexin"), rx("meropenem")],
    patient: allergic("penicillin"),
    expect: [["allergy", "moderate", 0], ["allergy", "low", 1]],
    details: [/Cefalexin is a cephalosporin.*1-2%/, /carbapenem/],
  },
  {
    name: "a beta-lactam allergy matches a cephalosporin as a class member (high)",
    items: [rx("ceftriaxone", 1, "g", { timesPerDay: 1 }, { route: "iv" })],
    patient: allergic("Beta-lactam antibiotics"),
    expect: [["allergy", "high", 0]],
  },
  {
    name: "inactive and resolved allergies are ignored",
    items: [rx("amoxicillin")],
    patient: {
      allergies: [
        { substance: "Penicillin", status: "inactive" },
        { substance: "Amoxil", status: "resolved" },
      ],
    },
    expect: [],
  },
  {
    name: "a penicillin allergy matches the amoxicillin inside co-amoxiclav written out",
    items: [rx("Amoxicillin/clavulanic acid", 1, "tablet", { timesPerDay: 2 }, {
      medication: "Augmentin 625 mg",
    })],
    patient: allergic("Penicillin"),
    expect: [["allergy", "high", 0]],
  },
  {
    name: "'sulpha drugs' matches co-trimoxazole but not furosemide (no sulfonamide " +
      "cross-reactivity encoded)",
    items: [rx("co-trimoxazole", 960, "mg", { timesPerDay: 2 }), rx("furosemide", 40, "mg")],
    patient: allergic("sulpha drugs"),
    expect: [["allergy", "high", 0]],
    details: [/Sulfamethoxazole is a sulfonamide antibacterial/],
  },
  {
    name: "an aspirin allergy covers ibuprofen (NSAID hypersensitivity)",
    items: [rx("ibuprofen", 400)],
    patient: allergic("Aspirin"),
    expect: [["allergy", "high", 0]],
  },
  {
    name: "an allergy no table knows (latex) matches nothing and is not listed as unchecked",
    items: [rx("amoxicillin")],
    patient: allergic("Latex"),
    expect: [],
    unchecked: [],
  },

  // Duplicate therapy
  {
    name: "two NSAIDs in one prescription are a duplicate therapy on the later item",
    items: [rx("ibuprofen", 400), rx("diclofenac", 50)],
    expect: [["duplicate_therapy", "moderate", 1]],
    details: [/Diclofenac and ibuprofen in this prescription are both NSAIDs/],
  },
  {
    name: "paracetamol already taken as the brand Panadol is the same substance (high)",
    items: [rx("paracetamol", 1, "g", QDS)],
    patient: taking("Panadol 500mg tablets"),
    expect: [["duplicate_therapy", "high", 0]],
    details: [/Paracetamol is also among current medications \("Panadol 500mg tablets"\)/],
  },
  {
    name: "a PPI beside another PPI on an active prescription is a duplicate (moderate)",
    items: [rx("omeprazole", 20, "mg", { timesPerDay: 1 })],
    patient: onRx("esomeprazole"),
    expect: [["duplicate_therapy", "moderate", 0]],
    details: [/on active prescription RX-202501-0001 are both proton pump inhibitors/],
  },
  {
    name: "co-trimoxazole against active trimethoprim shares a substance (high), no self-pair",
    items: [rx("co-trimoxazole", 960, "mg", { timesPerDay: 2 })],
    patient: onRx("trimethoprim"),
    expect: [["duplicate_therapy", "high", 0]],
  },
  {
    name: "two ACE inhibitors, one named by brand among current medications",
    items: [rx("enalapril", 10, "mg", { timesPerDay: 1 })],
    patient: taking("Zestril 10 mg"),
    expect: [["duplicate_therapy", "moderate", 0]],
  },
  {
    name: "one drug both on an active prescription and among current medications warns once",
    items: [rx("diclofenac", 50)],
    patient: { ...onRx("ibuprofen"), ...taking("Brufen 400") },
    expect: [["duplicate_therapy", "moderate", 0]],
  },

  // Interactions
  {
    name: "warfarin then ibuprofen: the NSAID class pair (high) on the later item",
    items: [rx("warfarin", 5, "mg", { timesPerDay: 1 }), rx("ibuprofen", 400)],
    expect: [["interaction", "high", 1]],
    details: [/Ibuprofen \(NSAIDs\) with warfarin \(anticoagulants\) in this prescription/],
  },
  {
    name: "ibuprofen then warfarin: the same pair in the other order",
    items: [rx("ibuprofen", 400), rx("warfarin", 5, "mg", { timesPerDay: 1 })],
    expect: [["interaction", "high", 1]],
  },
  {
    name: "new fluconazole with warfarin on an active prescription (high, BNF)",
    items: [rx("fluconazole", 150, "mg", { timesPerDay: 1 })],
    patient: onRx("warfarin"),
    expect: [["interaction", "high", 0]],
  },
  {
    name: "new co-trimoxazole with current methotrexate: the trimethoprim inside (high)",
    items: [rx("co-trimoxazole", 960, "mg", { timesPerDay: 2 })],
    patient: taking("Methotrexate 2.5mg weekly"),
    expect: [["interaction", "high", 0]],
    details: [/Trimethoprim \(in co-trimoxazole\) with methotrexate/],
  },
  {
    name: "spironolactone with an ACE inhibitor taken under a brand name (hyperkalaemia)",
    items: [rx("spironolactone", 25, "mg", { timesPerDay: 1 })],
    patient: taking("Renitec"),
    expect: [["interaction", "high", 0]],
  },
  {
    name: "sildenafil with a GTN spray is contraindicated (critical)",
    items: [rx("sildenafil", 50, "mg", { asNeeded: true, maxPerDay: 1 })],
    patient: taking("GTN spray"),
    expect: [["interaction", "critical", 0]],
  },
  {
    name: "clarithromycin with active simvastatin is contraindicated (critical)",
    items: [rx("clarithromycin", 500, "mg", { timesPerDay: 2 })],
    patient: onRx("simvastatin"),
    expect: [["interaction", "critical", 0]],
  },
  {
    name: "tramadol with sertraline: serotonin syndrome (high); clopidogrel with omeprazole " +
      "(moderate)",
    items: [rx("tramadol", 50, "mg", QDS), rx("clopidogrel", 75, "mg", { timesPerDay: 1 })],
    patient: taking("sertraline", "Losec 20mg"),
    expect: [["interaction", "high", 0], ["interaction", "moderate", 1]],
  },
  {
    name: "Coartem with active rifampicin: treatment failure (critical)",
    items: [rx("artemether-lumefantrine", 4, "tablet", { timesPerDay: 2 }, {
      medication: "Coartem 20/120 mg",
    })],
    patient: onRx("rifampicin"),
    expect: [["interaction", "critical", 0]],
  },
  {
    name: "rifampicin with TLD lowers dolutegravir, and with the pill causes contraceptive failure",
    items: [rx("rifampicin", 600, "mg", { timesPerDay: 1 })],
    patient: { ...onRx("TLD"), ...taking("levonorgestrel/ethinylestradiol") },
    expect: [["interaction", "high", 0], ["interaction", "high", 0]],
    details: [/dolutegravir.*50 mg twice daily/, /contraceptive failure/],
  },
  {
    name: "two QT-prolonging drugs (azithromycin, ondansetron) in one prescription",
    items: [rx("azithromycin", 500, "mg", { timesPerDay: 1 }), rx("ondansetron", 4, "mg")],
    expect: [["interaction", "high", 1]],
  },
  {
    name: "lithium among current medications with a new NSAID (high)",
    items: [rx("naproxen", 250, "mg", { timesPerDay: 2 })],
    patient: taking("Lithium carbonate 400mg"),
    expect: [["interaction", "high", 0]],
  },
  {
    name: "nevirapine and rifampicin in one prescription (TB/HIV co-treatment rule)",
    items: [
      rx("nevirapine", 200, "mg", { timesPerDay: 2 }),
      rx("rifampicin", 600, "mg", {
        timesPerDay: 1,
      }),
    ],
    expect: [["interaction", "high", 1]],
  },

  // Dose
  {
    name: "paracetamol 1 g every 4 hours is 6 g a day, over the 4 g adult maximum",
    items: [rx("paracetamol", 1, "g", { everyHours: 4 })],
    expect: [["dose", "high", 0]],
    details: [/1 g every 4 hours is 6 g a day, above the adult maximum of 4 g/],
  },
  {
    name: "paracetamol 1 g four times a day is within the maximum",
    items: [rx("paracetamol", 1, "g", QDS)],
    expect: [],
  },
  {
    name: "as needed counts the maximum a day: ibuprofen 800 mg up to 6 times is 4.8 g",
    items: [rx("ibuprofen", 800, "mg", { asNeeded: true, maxPerDay: 6 })],
    expect: [["dose", "high", 0]],
    details: [/4\.8 g a day/],
  },
  {
    name: "grams convert to mg: amoxicillin 1.5 g three times a day (4.5 g) is over 3 g; " +
      "metformin 1 g three times (3 g) is not",
    items: [rx("amoxicillin", 1.5, "g"), rx("metformin", 1, "g")],
    expect: [["dose", "high", 0]],
  },
  {
    name: "tablets convert with a named strength; without one they are not dose-checked",
    items: [
      rx("paracetamol", 3, "tablets", QDS, { medication: "Paracetamol 500 mg tablets" }),
      rx("ibuprofen", 10, "tablet", QDS, { medication: "Brufen" }),
    ],
    expect: [["dose", "high", 0]],
    details: [/1\.5 g 4 times a day is 6 g a day/],
  },
  {
    name: "millilitres convert with a named concentration (250 mg/5 mL)",
    items: [rx("amoxicillin", 40, "mL", TDS, { medication: "Amoxicillin 250mg/5ml suspension" })],
    expect: [["dose", "high", 0]],
  },
  {
    name: "a child with no weight recorded: 'weight needed' for every item, known or not",
    items: [rx("amoxicillin", 250), rx("Gripe water", 5, "mL")],
    patient: { ageYears: 4, weightKg: null },
    expect: [["dose", "moderate", 0], ["dose", "moderate", 1]],
    unchecked: ["Gripe water"],
    details: [/Weight needed/],
  },
  {
    name: "a 12 kg child: ibuprofen 600 mg a day is over 30 mg/kg/day, paracetamol 720 mg is not",
    items: [rx("ibuprofen", 200), rx("paracetamol", 180, "mg", QDS)],
    patient: { ageYears: 3, weightKg: 12 },
    expect: [["dose", "high", 0]],
    details: [/50 mg\/kg\/day for 12 kg.*30 mg\/kg\/day/],
  },
  {
    name: "intravenous doses are not checked against the oral table",
    items: [rx("paracetamol", 2, "g", QDS, { route: "IV" })],
    expect: [],
  },

  // Unknown drugs, a clean prescription, the order of everything
  {
    name: "unknown drugs give no warning and are listed as unchecked, once each",
    items: [rx("Herbal mix X", 1, "sachet")],
    patient: { ...taking("Vitamin B complex", "herbal MIX x"), ...onRx("Zinc oxide cream") },
    expect: [],
    unchecked: ["Herbal mix X", "Vitamin B complex"],
  },
  {
    name: "a clean prescription gives no warning",
    items: [rx("amoxicillin", 500), rx("paracetamol", 1, "g", QDS)],
    patient: { ...allergic("Latex"), ...taking("Amlodipine 5mg") },
    expect: [],
    unchecked: [],
  },
  {
    name: "warnings come ordered by kind, then item, then severity",
    items: [
      rx("ibuprofen", 800, "mg", QDS),
      rx("amoxicillin", 1, "g", QDS),
      rx("naproxen", 500, "mg", { timesPerDay: 2 }),
    ],
    patient: { ...allergic("Penicillin", "Augmentin"), ...taking("Coumadin") },
    expect: [
      ["allergy", "critical", 1],
      ["allergy", "high", 1],
      ["duplicate_therapy", "moderate", 2],
      ["interaction", "high", 0],
      ["interaction", "high", 2],
      ["dose", "high", 1],
    ],
  },
];

Deno.test("checkPrescription", async (t) => {
  assert.ok(CASES.length >= 30, `only ${CASES.length} cases`);
  for (const c of CASES) {
    await t.step(c.name, () => {
      const result = checkPrescription({ items: c.items, patient: { ...ADULT, ...c.patient } });
      const got = result.warnings.map((w) => [w.kind, w.severity, w.item]);
      assert.deepEqual(got, c.expect, JSON.stringify(result.warnings, null, 1));
      for (const [i, pattern] of (c.details ?? []).entries()) {
        if (pattern) assert.match(result.warnings[i].detail, pattern);
      }
      if (c.unchecked) assert.deepEqual(result.unchecked, c.unchecked);
      for (const w of result.warnings) {
        assert.ok(w.detail.length > 20 && w.detail.endsWith("."), w.detail);
      }
    });
  }

  await t.step("the same input gives the same answer (pure and deterministic)", () => {
    const input = { items: CASES.at(-1)!.items, patient: { ...ADULT, ...CASES.at(-1)!.patient } };
    assert.deepEqual(checkPrescription(input), checkPrescription(structuredClone(input)));
  });
});

Deno.test("drug names and doses", async (t) => {
  await t.step("names resolve through brands, spellings, salts, strengths and combinations", () => {
    const names = (text: string) => resolveDrug(text).units.map((u) => u.name);
    assert.deepEqual(names("Diclofenac sodium 50mg tablets"), ["diclofenac"]);
    assert.deepEqual(names("Sulphamethoxazole"), ["sulfamethoxazole"]);
    assert.deepEqual(names("Acetaminophen"), ["paracetamol"]);
    assert.deepEqual(names("Augmentin 625"), ["amoxicillin", "clavulanic acid"]);
    assert.deepEqual(names("TLD"), ["tenofovir", "lamivudine", "dolutegravir"]);
    assert.deepEqual(names("NSAID"), ["NSAIDs"]);
    assert.deepEqual(names("Rifampin + isoniazid"), ["rifampicin", "isoniazid"]);
    assert.deepEqual(resolveDrug("Ibuprofen/Mystery root").unknown, ["mystery root"]);
  });

  await t.step("doses convert to mg only when the unit allows", () => {
    assert.equal(doseMg(2, "g", "x"), 2000);
    assert.equal(doseMg(250, "mcg", "x"), 0.25);
    assert.equal(doseMg(2, "tablets", "Panadol 500 mg"), 1000);
    assert.equal(doseMg(2, "tablet", "Coartem 20/120 mg"), null);
    assert.equal(doseMg(5, "mL", "Amoxicillin 125 mg/5 mL"), 125);
    assert.equal(doseMg(2, "puff", "Salbutamol 100 micrograms"), null);
  });

  await t.step("doses a day: every N hours rounds up, as needed counts the maximum", () => {
    assert.equal(dosesPerDay({ everyHours: 6 }), 4);
    assert.equal(dosesPerDay({ everyHours: 5 }), 5);
    assert.equal(dosesPerDay({ everyHours: 48 }), 1);
    assert.equal(dosesPerDay({ asNeeded: true, maxPerDay: 3 }), 3);
    assert.equal(dosesPerDay({ timesPerDay: 0 }), null);
  });
});

Deno.test("the clinical tables", async (t) => {
  const isName = (n: string) => CLASSES.has(n) || SUBSTANCE_BY_NAME.has(n);

  await t.step("every class and substance referenced exists", () => {
    const missing: string[] = [];
    const need = (ok: boolean, what: string) => ok || missing.push(what);
    for (const c of DRUG_CLASSES) {
      for (const p of c.parents ?? []) need(CLASSES.has(p), `class ${c.name} → parent ${p}`);
    }
    for (const s of SUBSTANCES) {
      for (const c of s.classes ?? []) need(CLASSES.has(c), `${s.name} → class ${c}`);
      for (const p of s.components ?? []) need(SUBSTANCE_BY_NAME.has(p), `${s.name} → ${p}`);
    }
    for (const e of INTERACTIONS) {
      need(isName(e.a), `interaction ${e.a}`);
      need(isName(e.b), `interaction ${e.b}`);
    }
    for (const x of CROSS_REACTIVITY) {
      need(CLASSES.has(x.allergy) && CLASSES.has(x.drug), `cross ${x.allergy} → ${x.drug}`);
    }
    for (const d of MAX_DOSES) need(SUBSTANCE_BY_NAME.has(d.substance), `dose ${d.substance}`);
    for (const [b, g] of Object.entries(BRAND_NAMES)) need(SUBSTANCE_BY_NAME.has(g), `${b} → ${g}`);
    assert.deepEqual(missing, []);
  });

  await t.step("names are unique and no name means two things", () => {
    assert.equal(CLASSES.size, DRUG_CLASSES.length);
    assert.equal(SUBSTANCE_BY_NAME.size, SUBSTANCES.length);
    assert.deepEqual(NAME_COLLISIONS, []);
    for (const s of SUBSTANCES) {
      for (const n of [s.name, ...(s.aliases ?? [])]) {
        assert.deepEqual(resolveDrug(n).name, s.name, `"${n}"`);
      }
    }
    for (const [brand, generic] of Object.entries(BRAND_NAMES)) {
      assert.equal(resolveDrug(brand).name, generic, brand);
    }
  });

  await t.step("the class hierarchy has no cycle", () => {
    const visit = (name: string, path: string[]): void => {
      assert.ok(!path.includes(name), `cycle: ${[...path, name].join(" → ")}`);
      for (const p of CLASSES.get(name)?.parents ?? []) visit(p, [...path, name]);
    };
    for (const c of DRUG_CLASSES) visit(c.name, []);
  });

  await t.step(
    "at least 50 interaction pairs, each with a source, an effect and a severity",
    () => {
      assert.ok(INTERACTIONS.length >= 50, `only ${INTERACTIONS.length}`);
      const pairs = new Set<string>();
      for (const e of INTERACTIONS) {
        const pair = [e.a, e.b].sort().join(" + ");
        assert.ok(!pairs.has(pair), `duplicate pair ${pair}`);
        pairs.add(pair);
        assert.ok(SEVERITIES.includes(e.severity), `${pair}: severity ${e.severity}`);
        assert.ok(e.source.trim().length > 10, `${pair}: no source`);
        assert.ok(e.effect.trim().length > 10, `${pair}: no effect`);
      }
      for (const x of CROSS_REACTIVITY) {
        assert.ok(SEVERITIES.includes(x.severity) && x.source.length > 10 && x.note.length > 10);
      }
    },
  );

  await t.step("at least 40 maximum doses, each with a source and sensible numbers", () => {
    assert.ok(MAX_DOSES.length >= 40, `only ${MAX_DOSES.length}`);
    assert.equal(new Set(MAX_DOSES.map((d) => d.substance)).size, MAX_DOSES.length);
    for (const d of MAX_DOSES) {
      assert.ok(d.adultMgPerDay > 0 && d.source.length > 10, d.substance);
      assert.ok(d.routes.length > 0, d.substance);
      if (d.child) {
        assert.ok(d.child.mgPerKgPerDay > 0 && d.child.source.length > 10, d.substance);
        assert.ok(d.child.maxMgPerDay <= d.adultMgPerDay, `${d.substance}: child above adult`);
      }
    }
  });

  await t.step("every class has a source and says what one member is called", () => {
    for (const c of DRUG_CLASSES) {
      assert.ok(c.source.length > 5 && /^an? /.test(c.member), c.name);
    }
  });
});
