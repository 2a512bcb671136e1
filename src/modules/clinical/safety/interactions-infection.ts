/**
 * Interactions involving anti-infectives: antibacterials, antifungals, TB drugs, antiretrovirals
 * and antimalarials (the combinations clinics in East Africa and South Asia meet daily).
 * Severity: critical = the label or guideline says not to combine; high = avoid, or combine only
 * with a dose change or close monitoring; moderate = monitor or adjust; low = minor.
 * Entries name a substance or a class of class-table.ts; a more specific entry is listed before
 * a broader one on the same pair, since a pair shows its worst entry and, among equals, the first.
 */
import type { Interaction } from "./types.ts";

export const INFECTION_INTERACTIONS: readonly Interaction[] = [
  // Tuberculosis and HIV
  {
    a: "rifampicin",
    b: "HIV protease inhibitors",
    severity: "critical",
    effect:
      "rifampicin lowers protease inhibitor levels by over 75%: loss of viral suppression and resistance; use rifabutin instead",
    source:
      "FDA label Kaletra (lopinavir/ritonavir), 4 Contraindications (rifampin); WHO Consolidated HIV guidelines (2021)",
  },
  {
    a: "rifampicin",
    b: "nevirapine",
    severity: "high",
    effect:
      "rifampicin lowers nevirapine levels: treatment failure; avoid (use efavirenz or dolutegravir)",
    source:
      "WHO Consolidated HIV guidelines (2021), TB/HIV co-treatment; BNF Appendix 1: rifampicin + nevirapine",
  },
  {
    a: "rifampicin",
    b: "dolutegravir",
    severity: "high",
    effect:
      "rifampicin lowers dolutegravir levels: give dolutegravir 50 mg twice daily during and for 2 weeks after rifampicin",
    source:
      "FDA label Tivicay (dolutegravir), 2 Dosage and 7 Drug Interactions (rifampin); WHO Consolidated HIV guidelines (2021)",
  },
  {
    a: "dolutegravir",
    b: "strong CYP3A4 inducers",
    severity: "high",
    effect:
      "dolutegravir levels fall: twice-daily dolutegravir with carbamazepine, avoid with phenytoin",
    source: "FDA label Tivicay (dolutegravir), 7 Drug Interactions (carbamazepine, phenytoin)",
  },
  {
    a: "integrase inhibitors",
    b: "polyvalent cation products",
    severity: "moderate",
    effect:
      "iron, calcium, magnesium and aluminium bind dolutegravir: take it 2 hours before or 6 hours after them",
    source: "FDA label Tivicay (dolutegravir), 7 Drug Interactions (polyvalent cations)",
  },
  {
    a: "dolutegravir",
    b: "metformin",
    severity: "moderate",
    effect:
      "dolutegravir raises metformin levels: limit metformin to 1 g a day and monitor glucose",
    source:
      "FDA label Tivicay (dolutegravir), 7 Drug Interactions (metformin); WHO Consolidated HIV guidelines (2021)",
  },
  {
    a: "efavirenz",
    b: "voriconazole",
    severity: "high",
    effect:
      "efavirenz lowers voriconazole and voriconazole raises efavirenz: only with adjusted doses (voriconazole 400 mg twice daily, efavirenz 300 mg daily)",
    source: "FDA label Sustiva (efavirenz), 7 Drug Interactions (voriconazole)",
  },
  {
    a: "efavirenz",
    b: "methadone",
    severity: "moderate",
    effect: "efavirenz lowers methadone levels: opioid withdrawal; titrate methadone",
    source: "FDA label Sustiva (efavirenz), 7 Drug Interactions (methadone)",
  },
  {
    a: "enzyme-inducing drugs",
    b: "hormonal contraceptives",
    severity: "high",
    effect:
      "enzyme induction lowers contraceptive hormone levels: contraceptive failure; use a copper IUD, LNG-IUS or DMPA during and for 28 days after",
    source: "FSRH CEU Guidance: Drug Interactions with Hormonal Contraception (2022)",
  },
  {
    a: "isoniazid",
    b: "phenytoin",
    severity: "high",
    effect:
      "isoniazid inhibits phenytoin metabolism: phenytoin toxicity (especially slow acetylators); monitor levels",
    source:
      "BNF Appendix 1: phenytoin + isoniazid; Stockley's Drug Interactions, Phenytoin + Isoniazid",
  },
  {
    a: "isoniazid",
    b: "carbamazepine",
    severity: "high",
    effect:
      "isoniazid raises carbamazepine levels (toxicity) and carbamazepine may add to isoniazid hepatotoxicity",
    source: "BNF Appendix 1: carbamazepine + isoniazid",
  },
  {
    a: "vitamin K antagonists",
    b: "rifamycins",
    severity: "high",
    effect:
      "rifampicin induces warfarin metabolism: INR falls (and rises when rifampicin stops); monitor INR closely",
    source:
      "BNF Appendix 1: warfarin + rifampicin; Stockley's Drug Interactions, Coumarins + Rifamycins",
  },

  // Malaria
  {
    a: "strong CYP3A4 inducers",
    b: "lumefantrine",
    severity: "critical",
    effect: "artemether and lumefantrine levels fall markedly: malaria treatment failure",
    source:
      "FDA label Coartem (artemether/lumefantrine), 4 Contraindications (strong CYP3A4 inducers: rifampin, carbamazepine, phenytoin)",
  },
  {
    a: "efavirenz",
    b: "lumefantrine",
    severity: "moderate",
    effect:
      "efavirenz lowers lumefantrine exposure: risk of malaria treatment failure; monitor response",
    source:
      "FDA label Coartem (artemether/lumefantrine), 7 Drug Interactions (antiretrovirals); WHO Guidelines for malaria (2023)",
  },
  {
    a: "lumefantrine",
    b: "QT-prolonging drugs",
    severity: "high",
    effect:
      "additive QT prolongation: avoid other QT-prolonging drugs with artemether-lumefantrine",
    source:
      "FDA label Coartem (artemether/lumefantrine), 5 Warnings and Precautions (QT prolongation)",
  },
  {
    a: "quinine",
    b: "mefloquine",
    severity: "high",
    effect:
      "convulsions and cardiotoxicity: give mefloquine at least 12 hours after the last quinine dose",
    source: "BNF Appendix 1: mefloquine + quinine; WHO Guidelines for malaria (2023)",
  },

  // Antibacterials and antifungals
  {
    a: "vitamin K antagonists",
    b: "fluconazole",
    severity: "high",
    effect: "fluconazole inhibits warfarin metabolism (CYP2C9): INR rises, bleeding; check INR",
    source:
      "BNF Appendix 1: warfarin + fluconazole; Stockley's Drug Interactions, Coumarins + Azoles",
  },
  {
    a: "vitamin K antagonists",
    b: "metronidazole",
    severity: "high",
    effect: "metronidazole inhibits warfarin metabolism: INR rises markedly, bleeding",
    source:
      "BNF Appendix 1: warfarin + metronidazole; Stockley's Drug Interactions, Coumarins + Metronidazole",
  },
  {
    a: "vitamin K antagonists",
    b: "sulfamethoxazole",
    severity: "high",
    effect: "co-trimoxazole raises the INR markedly: bleeding; avoid or monitor INR closely",
    source:
      "Stockley's Drug Interactions, Coumarins + Sulfonamides (co-trimoxazole); BNF Appendix 1: warfarin + co-trimoxazole",
  },
  {
    a: "vitamin K antagonists",
    b: "fluoroquinolones",
    severity: "moderate",
    effect: "quinolones may raise the INR: check INR",
    source:
      "BNF Appendix 1: warfarin + quinolones; Stockley's Drug Interactions, Coumarins + Quinolones",
  },
  {
    a: "vitamin K antagonists",
    b: "macrolides",
    severity: "moderate",
    effect: "macrolides (clarithromycin, erythromycin) raise the INR: check INR",
    source: "BNF Appendix 1: warfarin + macrolides",
  },
  {
    a: "methotrexate",
    b: "trimethoprim",
    severity: "high",
    effect:
      "two antifolates: bone-marrow suppression, sometimes fatal; avoid (includes co-trimoxazole)",
    source: "BNF Appendix 1: methotrexate + trimethoprim (and co-trimoxazole)",
  },
  {
    a: "simvastatin",
    b: "strong CYP3A4 inhibitors",
    severity: "critical",
    effect: "simvastatin levels rise many-fold: myopathy and rhabdomyolysis",
    source: "FDA label Zocor (simvastatin), 4 Contraindications (strong CYP3A4 inhibitors)",
  },
  {
    a: "simvastatin",
    b: "erythromycin",
    severity: "critical",
    effect: "simvastatin levels rise: myopathy and rhabdomyolysis",
    source: "FDA label Zocor (simvastatin), 4 Contraindications (erythromycin)",
  },
  {
    a: "simvastatin",
    b: "HIV protease inhibitors",
    severity: "critical",
    effect: "simvastatin levels rise many-fold: rhabdomyolysis",
    source: "FDA label Zocor (simvastatin), 4 Contraindications (HIV protease inhibitors)",
  },
  {
    a: "lovastatin",
    b: "strong CYP3A4 inhibitors",
    severity: "critical",
    effect: "lovastatin levels rise many-fold: myopathy and rhabdomyolysis",
    source: "FDA label Mevacor (lovastatin), 4 Contraindications (strong CYP3A4 inhibitors)",
  },
  {
    a: "atorvastatin",
    b: "clarithromycin",
    severity: "moderate",
    effect: "atorvastatin levels rise: keep atorvastatin at 20 mg a day or less",
    source: "FDA label Lipitor (atorvastatin), 2 Dosage and 7 Drug Interactions (clarithromycin)",
  },
  {
    a: "colchicine",
    b: "strong CYP3A4 inhibitors",
    severity: "high",
    effect: "colchicine toxicity (fatal cases); contraindicated with renal or hepatic impairment",
    source: "FDA label Colcrys (colchicine), 4 Contraindications and 7 Drug Interactions",
  },
  {
    a: "carbamazepine",
    b: "clarithromycin",
    severity: "high",
    effect: "clarithromycin raises carbamazepine levels: toxicity",
    source: "BNF Appendix 1: carbamazepine + clarithromycin",
  },
  {
    a: "carbamazepine",
    b: "erythromycin",
    severity: "high",
    effect: "erythromycin raises carbamazepine levels: toxicity",
    source: "BNF Appendix 1: carbamazepine + erythromycin",
  },
  {
    a: "phenytoin",
    b: "fluconazole",
    severity: "high",
    effect: "fluconazole raises phenytoin levels: toxicity; monitor levels",
    source:
      "BNF Appendix 1: phenytoin + fluconazole; Stockley's Drug Interactions, Phenytoin + Azoles",
  },
  {
    a: "sulfonylureas",
    b: "fluconazole",
    severity: "moderate",
    effect: "fluconazole raises sulfonylurea levels: hypoglycaemia",
    source: "BNF Appendix 1: sulfonylureas + fluconazole",
  },
  {
    a: "sodium valproate",
    b: "carbapenems",
    severity: "high",
    effect: "carbapenems cut valproate levels by 60-100% within a day: seizures; avoid",
    source: "BNF Appendix 1: valproate + carbapenems; EMA SmPC meropenem 4.5",
  },
  {
    a: "linezolid",
    b: "MAOIs",
    severity: "critical",
    effect: "linezolid is itself an MAO inhibitor: hypertensive crisis and serotonin syndrome",
    source: "FDA label Zyvox (linezolid), 4 Contraindications (MAO inhibitors, within 2 weeks)",
  },
  {
    a: "linezolid",
    b: "serotonergic antidepressants",
    severity: "high",
    effect: "serotonin syndrome: linezolid inhibits MAO",
    source:
      "FDA Drug Safety Communication (2011): serotonin syndrome with linezolid and serotonergic psychiatric drugs",
  },
  {
    a: "ciprofloxacin",
    b: "tizanidine",
    severity: "critical",
    effect: "ciprofloxacin (CYP1A2) raises tizanidine levels about tenfold: hypotension, sedation",
    source: "FDA label Cipro (ciprofloxacin), 4 Contraindications (tizanidine)",
  },
  {
    a: "ciprofloxacin",
    b: "xanthines",
    severity: "high",
    effect: "ciprofloxacin raises theophylline levels: seizures and arrhythmias; monitor levels",
    source:
      "FDA label Cipro (ciprofloxacin), 5 Warnings (theophylline); BNF Appendix 1: theophylline + ciprofloxacin",
  },
  {
    a: "clarithromycin",
    b: "xanthines",
    severity: "moderate",
    effect: "clarithromycin raises theophylline levels: monitor levels",
    source: "BNF Appendix 1: theophylline + clarithromycin",
  },
  {
    a: "clarithromycin",
    b: "digoxin",
    severity: "high",
    effect: "clarithromycin raises digoxin levels (P-glycoprotein): toxicity; monitor levels",
    source: "BNF Appendix 1: digoxin + clarithromycin",
  },
  {
    a: "fluoroquinolones",
    b: "polyvalent cation products",
    severity: "moderate",
    effect:
      "iron, calcium, zinc and antacids bind the quinolone: take it 2 hours before or 6 hours after them",
    source: "FDA label Cipro (ciprofloxacin), 7 Drug Interactions (multivalent cation products)",
  },
  {
    a: "tetracyclines",
    b: "polyvalent cation products",
    severity: "moderate",
    effect: "iron, calcium, zinc and antacids bind the tetracycline: separate by 2 to 3 hours",
    source: "BNF Appendix 1: tetracyclines + antacids, iron, calcium and zinc salts",
  },
  {
    a: "aminoglycosides",
    b: "loop diuretics",
    severity: "moderate",
    effect: "additive ototoxicity and nephrotoxicity: monitor hearing and renal function",
    source: "BNF Appendix 1: aminoglycosides + loop diuretics",
  },
];
