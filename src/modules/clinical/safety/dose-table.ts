/**
 * Maximum daily doses by mouth, in mg: the adult ceiling, and for children (under 16) a mg/kg/day
 * limit where a reference gives one, with the ceiling a child's dose never passes whatever the
 * weight. Other routes are not checked (injected doses differ too much by indication). Where the
 * references differ, the higher licensed figure is kept so that a licensed regimen never warns
 * (ibuprofen: 3.2 g on the FDA label, 2.4 g in the BNF and 1.2 g over the counter).
 */
import type { MaxDose } from "./types.ts";

const ORAL = ["oral"];

export const MAX_DOSES: readonly MaxDose[] = [
  // Pain and inflammation
  {
    substance: "paracetamol",
    routes: ORAL,
    adultMgPerDay: 4000,
    source: "BNF paracetamol: max 4 g daily",
    child: {
      mgPerKgPerDay: 75,
      maxMgPerDay: 4000,
      source:
        "AAP clinical report, Fever and Antipyretic Use in Children (Pediatrics 2011;127:580): 15 mg/kg up to 5 doses a day, max 4 g",
    },
  },
  {
    substance: "ibuprofen",
    routes: ORAL,
    adultMgPerDay: 3200,
    source: "FDA label Motrin (ibuprofen): max 3200 mg daily (BNF 2.4 g; OTC 1.2 g)",
    child: {
      mgPerKgPerDay: 30,
      maxMgPerDay: 2400,
      source: "BNF for Children ibuprofen: 30 mg/kg daily in 3-4 doses, max 2.4 g",
    },
  },
  {
    substance: "diclofenac",
    routes: ORAL,
    adultMgPerDay: 150,
    source: "BNF diclofenac sodium: max 150 mg daily",
    child: {
      mgPerKgPerDay: 3,
      maxMgPerDay: 150,
      source: "BNF for Children diclofenac sodium: 0.3-1 mg/kg three times daily, max 150 mg",
    },
  },
  {
    substance: "naproxen",
    routes: ORAL,
    adultMgPerDay: 1500,
    source: "FDA label Naprosyn: up to 1500 mg daily for limited periods",
  },
  {
    substance: "aspirin",
    routes: ORAL,
    adultMgPerDay: 4000,
    source: "BNF aspirin (analgesic): max 4 g daily",
  },
  {
    substance: "mefenamic acid",
    routes: ORAL,
    adultMgPerDay: 1500,
    source: "BNF mefenamic acid: 500 mg three times daily",
  },
  {
    substance: "indometacin",
    routes: ORAL,
    adultMgPerDay: 200,
    source: "BNF indometacin: 50-200 mg daily",
  },
  {
    substance: "ketorolac",
    routes: ORAL,
    adultMgPerDay: 40,
    source: "BNF ketorolac (oral): max 40 mg daily",
  },
  {
    substance: "meloxicam",
    routes: ORAL,
    adultMgPerDay: 15,
    source: "BNF meloxicam: max 15 mg daily",
  },
  {
    substance: "celecoxib",
    routes: ORAL,
    adultMgPerDay: 400,
    source: "BNF celecoxib: max 200 mg twice daily",
  },
  {
    substance: "codeine",
    routes: ORAL,
    adultMgPerDay: 240,
    source: "BNF codeine phosphate: max 240 mg daily",
  },
  {
    substance: "dihydrocodeine",
    routes: ORAL,
    adultMgPerDay: 240,
    source: "BNF dihydrocodeine: max 240 mg daily",
  },
  {
    substance: "tramadol",
    routes: ORAL,
    adultMgPerDay: 400,
    source: "BNF tramadol: max 400 mg daily",
  },

  // Anti-infectives
  {
    substance: "amoxicillin",
    routes: ORAL,
    adultMgPerDay: 3000,
    source: "BNF amoxicillin (oral): up to 1 g every 8 hours in severe infection",
    child: {
      mgPerKgPerDay: 90,
      maxMgPerDay: 3000,
      source: "AAP acute otitis media guideline (2013): high-dose 80-90 mg/kg/day",
    },
  },
  {
    substance: "flucloxacillin",
    routes: ORAL,
    adultMgPerDay: 4000,
    source: "BNF flucloxacillin (oral): up to 1 g four times daily",
  },
  {
    substance: "phenoxymethylpenicillin",
    routes: ORAL,
    adultMgPerDay: 4000,
    source: "BNF phenoxymethylpenicillin: up to 1 g four times daily",
  },
  {
    substance: "cefalexin",
    routes: ORAL,
    adultMgPerDay: 4000,
    source: "FDA label Keflex (cefalexin): up to 4 g daily",
    child: {
      mgPerKgPerDay: 100,
      maxMgPerDay: 4000,
      source: "FDA label Keflex (cefalexin), paediatric: 25-100 mg/kg/day",
    },
  },
  {
    substance: "azithromycin",
    routes: ORAL,
    adultMgPerDay: 2000,
    source: "FDA label Zithromax: single 2 g dose (gonococcal urethritis)",
  },
  {
    substance: "clarithromycin",
    routes: ORAL,
    adultMgPerDay: 1000,
    source: "BNF clarithromycin: 500 mg twice daily in severe infection",
  },
  {
    substance: "erythromycin",
    routes: ORAL,
    adultMgPerDay: 4000,
    source: "BNF erythromycin: up to 4 g daily in severe infection",
  },
  {
    substance: "doxycycline",
    routes: ORAL,
    adultMgPerDay: 200,
    source: "BNF doxycycline: 200 mg daily in severe infection",
  },
  {
    substance: "ciprofloxacin",
    routes: ORAL,
    adultMgPerDay: 1500,
    source: "BNF ciprofloxacin (oral): max 750 mg twice daily",
  },
  {
    substance: "metronidazole",
    routes: ORAL,
    adultMgPerDay: 4000,
    source: "FDA label Flagyl (metronidazole): max 4 g in 24 hours",
  },
  {
    substance: "nitrofurantoin",
    routes: ORAL,
    adultMgPerDay: 400,
    source: "BNF nitrofurantoin: 100 mg four times daily",
  },
  {
    substance: "trimethoprim",
    routes: ORAL,
    adultMgPerDay: 400,
    source: "BNF trimethoprim: 200 mg twice daily",
  },
  {
    substance: "fluconazole",
    routes: ORAL,
    adultMgPerDay: 1200,
    source: "WHO Guidelines for cryptococcal disease in HIV (2022): fluconazole 1200 mg daily",
  },
  {
    substance: "aciclovir",
    routes: ORAL,
    adultMgPerDay: 4000,
    source: "BNF aciclovir: 800 mg five times daily (herpes zoster)",
  },
  {
    substance: "albendazole",
    routes: ORAL,
    adultMgPerDay: 800,
    source: "FDA label Albenza (albendazole): 400 mg twice daily",
  },
  {
    substance: "isoniazid",
    routes: ORAL,
    adultMgPerDay: 300,
    source:
      "WHO consolidated guidelines on tuberculosis, Module 4 (2022): 5 mg/kg, max 300 mg daily",
    child: {
      mgPerKgPerDay: 15,
      maxMgPerDay: 300,
      source:
        "WHO consolidated TB guidelines, Module 5 (children, 2022): 10 (7-15) mg/kg, max 300 mg",
    },
  },
  {
    substance: "rifampicin",
    routes: ORAL,
    adultMgPerDay: 600,
    source:
      "WHO consolidated guidelines on tuberculosis, Module 4 (2022): 10 mg/kg, max 600 mg daily",
    child: {
      mgPerKgPerDay: 20,
      maxMgPerDay: 600,
      source:
        "WHO consolidated TB guidelines, Module 5 (children, 2022): 15 (10-20) mg/kg, max 600 mg",
    },
  },
  {
    substance: "pyrazinamide",
    routes: ORAL,
    adultMgPerDay: 2000,
    source: "WHO consolidated guidelines on tuberculosis, Module 4 (2022): 25 mg/kg, max 2 g daily",
    child: {
      mgPerKgPerDay: 40,
      maxMgPerDay: 2000,
      source: "WHO consolidated TB guidelines, Module 5 (children, 2022): 35 (30-40) mg/kg",
    },
  },
  {
    substance: "ethambutol",
    routes: ORAL,
    adultMgPerDay: 1600,
    source:
      "WHO consolidated guidelines on tuberculosis, Module 4 (2022): 15 mg/kg, weight band max 1.6 g",
    child: {
      mgPerKgPerDay: 25,
      maxMgPerDay: 1600,
      source: "WHO consolidated TB guidelines, Module 5 (children, 2022): 20 (15-25) mg/kg",
    },
  },
  {
    substance: "quinine",
    routes: ORAL,
    adultMgPerDay: 1800,
    source:
      "WHO Guidelines for malaria (2023): quinine 10 mg/kg three times daily, 600 mg per dose in adults",
    child: {
      mgPerKgPerDay: 30,
      maxMgPerDay: 1800,
      source: "WHO Guidelines for malaria (2023): 10 mg/kg every 8 hours",
    },
  },
  {
    substance: "efavirenz",
    routes: ORAL,
    adultMgPerDay: 600,
    source: "FDA label Sustiva (efavirenz): 600 mg once daily",
  },
  {
    substance: "nevirapine",
    routes: ORAL,
    adultMgPerDay: 400,
    source: "FDA label Viramune (nevirapine): 200 mg twice daily",
  },
  {
    substance: "dolutegravir",
    routes: ORAL,
    adultMgPerDay: 100,
    source: "FDA label Tivicay: 50 mg twice daily with inducers or INSTI resistance",
  },
  {
    substance: "lamivudine",
    routes: ORAL,
    adultMgPerDay: 300,
    source: "FDA label Epivir (lamivudine): 300 mg daily",
  },
  {
    substance: "zidovudine",
    routes: ORAL,
    adultMgPerDay: 600,
    source: "FDA label Retrovir (zidovudine): 300 mg twice daily",
  },

  // Cardiovascular, metabolic
  {
    substance: "metformin",
    routes: ORAL,
    adultMgPerDay: 3000,
    source: "Glucophage UK SmPC 4.2: max 3 g daily",
  },
  {
    substance: "glibenclamide",
    routes: ORAL,
    adultMgPerDay: 15,
    source: "BNF glibenclamide: max 15 mg daily",
  },
  {
    substance: "gliclazide",
    routes: ORAL,
    adultMgPerDay: 320,
    source: "BNF gliclazide (immediate release): max 320 mg daily",
  },
  {
    substance: "glimepiride",
    routes: ORAL,
    adultMgPerDay: 6,
    source: "BNF glimepiride: max 6 mg daily",
  },
  {
    substance: "amlodipine",
    routes: ORAL,
    adultMgPerDay: 10,
    source: "BNF amlodipine: max 10 mg daily",
  },
  {
    substance: "atenolol",
    routes: ORAL,
    adultMgPerDay: 100,
    source: "BNF atenolol: 100 mg daily (angina)",
  },
  {
    substance: "bisoprolol",
    routes: ORAL,
    adultMgPerDay: 20,
    source: "BNF bisoprolol: max 20 mg daily",
  },
  {
    substance: "enalapril",
    routes: ORAL,
    adultMgPerDay: 40,
    source: "BNF enalapril: max 40 mg daily",
  },
  {
    substance: "lisinopril",
    routes: ORAL,
    adultMgPerDay: 80,
    source: "BNF lisinopril: max 80 mg daily (hypertension)",
  },
  {
    substance: "ramipril",
    routes: ORAL,
    adultMgPerDay: 10,
    source: "BNF ramipril: max 10 mg daily",
  },
  {
    substance: "captopril",
    routes: ORAL,
    adultMgPerDay: 150,
    source: "BNF captopril: max 150 mg daily in divided doses",
  },
  {
    substance: "losartan",
    routes: ORAL,
    adultMgPerDay: 100,
    source: "BNF losartan: max 100 mg daily",
  },
  {
    substance: "spironolactone",
    routes: ORAL,
    adultMgPerDay: 400,
    source: "BNF spironolactone: up to 400 mg daily (primary hyperaldosteronism)",
  },
  {
    substance: "simvastatin",
    routes: ORAL,
    adultMgPerDay: 80,
    source: "BNF simvastatin: max 80 mg daily (80 mg only at high risk)",
  },
  {
    substance: "atorvastatin",
    routes: ORAL,
    adultMgPerDay: 80,
    source: "BNF atorvastatin: max 80 mg daily",
  },
  {
    substance: "rosuvastatin",
    routes: ORAL,
    adultMgPerDay: 40,
    source: "BNF rosuvastatin: max 40 mg daily",
  },
  {
    substance: "allopurinol",
    routes: ORAL,
    adultMgPerDay: 900,
    source: "BNF allopurinol: max 900 mg daily",
  },
  {
    substance: "colchicine",
    routes: ORAL,
    adultMgPerDay: 2,
    source: "BNF colchicine (acute gout): 500 micrograms 2-4 times daily",
  },

  // Gastrointestinal, nervous system, allergy
  {
    substance: "omeprazole",
    routes: ORAL,
    adultMgPerDay: 120,
    source: "BNF omeprazole: up to 120 mg daily (Zollinger-Ellison syndrome)",
  },
  {
    substance: "metoclopramide",
    routes: ORAL,
    adultMgPerDay: 30,
    source: "EMA/MHRA (2013): metoclopramide max 30 mg daily, 5 days",
    child: {
      mgPerKgPerDay: 0.5,
      maxMgPerDay: 30,
      source: "EMA/MHRA (2013): 0.1-0.15 mg/kg up to three times daily, max 0.5 mg/kg/day",
    },
  },
  {
    substance: "domperidone",
    routes: ORAL,
    adultMgPerDay: 30,
    source: "MHRA Drug Safety Update (2014): domperidone max 30 mg daily",
  },
  {
    substance: "ondansetron",
    routes: ORAL,
    adultMgPerDay: 24,
    source: "FDA label Zofran (ondansetron): 24 mg (highly emetogenic chemotherapy)",
  },
  {
    substance: "loperamide",
    routes: ORAL,
    adultMgPerDay: 16,
    source: "BNF loperamide: max 16 mg daily",
  },
  {
    substance: "sertraline",
    routes: ORAL,
    adultMgPerDay: 200,
    source: "BNF sertraline: max 200 mg daily",
  },
  {
    substance: "fluoxetine",
    routes: ORAL,
    adultMgPerDay: 60,
    source: "BNF fluoxetine: max 60 mg daily",
  },
  {
    substance: "citalopram",
    routes: ORAL,
    adultMgPerDay: 40,
    source: "MHRA Drug Safety Update (2011): citalopram max 40 mg daily (QT)",
  },
  {
    substance: "escitalopram",
    routes: ORAL,
    adultMgPerDay: 20,
    source: "MHRA Drug Safety Update (2011): escitalopram max 20 mg daily (QT)",
  },
  {
    substance: "amitriptyline",
    routes: ORAL,
    adultMgPerDay: 200,
    source: "BNF amitriptyline (depression): max 200 mg daily",
  },
  {
    substance: "diazepam",
    routes: ORAL,
    adultMgPerDay: 30,
    source: "BNF diazepam (anxiety): max 30 mg daily",
  },
  {
    substance: "lorazepam",
    routes: ORAL,
    adultMgPerDay: 4,
    source: "BNF lorazepam (anxiety): max 4 mg daily",
  },
  {
    substance: "haloperidol",
    routes: ORAL,
    adultMgPerDay: 20,
    source: "BNF haloperidol (schizophrenia): max 20 mg daily",
  },
  {
    substance: "carbamazepine",
    routes: ORAL,
    adultMgPerDay: 2000,
    source: "BNF carbamazepine (epilepsy): max 2 g daily",
  },
  {
    substance: "sodium valproate",
    routes: ORAL,
    adultMgPerDay: 2500,
    source: "BNF sodium valproate (epilepsy): max 2.5 g daily",
  },
  {
    substance: "levetiracetam",
    routes: ORAL,
    adultMgPerDay: 3000,
    source: "BNF levetiracetam: max 1.5 g twice daily",
  },
  {
    substance: "lamotrigine",
    routes: ORAL,
    adultMgPerDay: 500,
    source: "BNF lamotrigine (monotherapy): max 500 mg daily",
  },
  {
    substance: "cetirizine",
    routes: ORAL,
    adultMgPerDay: 10,
    source: "BNF cetirizine: 10 mg daily",
  },
  {
    substance: "loratadine",
    routes: ORAL,
    adultMgPerDay: 10,
    source: "BNF loratadine: 10 mg daily",
  },
  {
    substance: "chlorphenamine",
    routes: ORAL,
    adultMgPerDay: 24,
    source: "BNF chlorphenamine: max 24 mg daily",
  },
];
