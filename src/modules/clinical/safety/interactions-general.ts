/**
 * Interactions outside anti-infectives: bleeding, potassium, serotonin, lithium, QT, statins,
 * cardiac and the rest. Same severity scale and ordering rule as interactions-infection.ts.
 */
import type { Interaction } from "./types.ts";

export const GENERAL_INTERACTIONS: readonly Interaction[] = [
  // Bleeding
  {
    a: "vitamin K antagonists",
    b: "amiodarone",
    severity: "high",
    effect:
      "amiodarone inhibits warfarin metabolism for months: INR rises; reduce the warfarin dose",
    source:
      "BNF Appendix 1: warfarin + amiodarone; Stockley's Drug Interactions, Coumarins + Amiodarone",
  },
  {
    a: "vitamin K antagonists",
    b: "carbamazepine",
    severity: "moderate",
    effect: "carbamazepine induces warfarin metabolism: INR falls; monitor INR",
    source: "BNF Appendix 1: warfarin + carbamazepine",
  },
  {
    a: "anticoagulants",
    b: "NSAIDs",
    severity: "high",
    effect:
      "bleeding risk rises (NSAIDs also injure the gastric mucosa); avoid or add gastroprotection",
    source:
      "BNF Appendix 1: warfarin, apixaban, rivaroxaban + NSAIDs; Stockley's Drug Interactions, Coumarins + NSAIDs",
  },
  {
    a: "anticoagulants",
    b: "antiplatelets",
    severity: "high",
    effect: "bleeding risk rises; combine only with a clear indication",
    source: "BNF Appendix 1: warfarin + antiplatelet drugs",
  },
  {
    a: "SSRIs",
    b: "anticoagulants",
    severity: "moderate",
    effect: "SSRIs impair platelet function: bleeding risk rises",
    source: "BNF Appendix 1: SSRIs + anticoagulants",
  },
  {
    a: "SSRIs",
    b: "NSAIDs",
    severity: "moderate",
    effect: "upper gastrointestinal bleeding risk rises: consider a proton pump inhibitor",
    source: "BNF Appendix 1: SSRIs + NSAIDs",
  },
  {
    a: "clopidogrel",
    b: "omeprazole",
    severity: "moderate",
    effect:
      "omeprazole inhibits CYP2C19, which activates clopidogrel: less antiplatelet effect; prefer pantoprazole",
    source:
      "FDA label Plavix (clopidogrel), 7 Drug Interactions (omeprazole, esomeprazole); MHRA Drug Safety Update (2010)",
  },
  {
    a: "clopidogrel",
    b: "esomeprazole",
    severity: "moderate",
    effect:
      "esomeprazole inhibits CYP2C19, which activates clopidogrel: less antiplatelet effect; prefer pantoprazole",
    source:
      "FDA label Plavix (clopidogrel), 7 Drug Interactions (omeprazole, esomeprazole); MHRA Drug Safety Update (2010)",
  },

  // Potassium and the kidney
  {
    a: "renin-angiotensin system blockers",
    b: "potassium-sparing diuretics",
    severity: "high",
    effect:
      "hyperkalaemia: check potassium and renal function (spironolactone in heart failure only with that monitoring)",
    source:
      "BNF Appendix 1: ACE inhibitors, angiotensin-II receptor antagonists + potassium-sparing diuretics",
  },
  {
    a: "renin-angiotensin system blockers",
    b: "potassium supplements",
    severity: "high",
    effect: "hyperkalaemia: check potassium",
    source: "BNF Appendix 1: ACE inhibitors, angiotensin-II receptor antagonists + potassium salts",
  },
  {
    a: "potassium-sparing diuretics",
    b: "potassium supplements",
    severity: "high",
    effect: "hyperkalaemia: avoid unless potassium is low and monitored",
    source: "BNF Appendix 1: amiloride, spironolactone + potassium salts",
  },
  {
    a: "ACE inhibitors",
    b: "angiotensin receptor blockers",
    severity: "high",
    effect:
      "dual renin-angiotensin blockade: hyperkalaemia, hypotension and renal failure; not recommended",
    source:
      "MHRA Drug Safety Update (June 2014): combined use of medicines affecting the renin-angiotensin system",
  },
  {
    a: "renin-angiotensin system blockers",
    b: "NSAIDs",
    severity: "moderate",
    effect:
      "less blood-pressure control and a risk of renal impairment (more so with a diuretic too)",
    source: "BNF Appendix 1: ACE inhibitors + NSAIDs",
  },
  {
    a: "lithium",
    b: "NSAIDs",
    severity: "high",
    effect: "NSAIDs reduce lithium excretion: lithium toxicity; monitor levels",
    source: "BNF Appendix 1: lithium + NSAIDs",
  },
  {
    a: "lithium",
    b: "renin-angiotensin system blockers",
    severity: "high",
    effect: "lithium excretion falls: lithium toxicity; monitor levels",
    source: "BNF Appendix 1: lithium + ACE inhibitors, angiotensin-II receptor antagonists",
  },
  {
    a: "lithium",
    b: "thiazide diuretics",
    severity: "high",
    effect: "thiazides reduce lithium excretion: lithium toxicity; monitor levels",
    source: "BNF Appendix 1: lithium + thiazides",
  },
  {
    a: "methotrexate",
    b: "NSAIDs",
    severity: "moderate",
    effect: "NSAIDs reduce methotrexate excretion: toxicity, worst with high-dose methotrexate",
    source: "BNF Appendix 1: methotrexate + NSAIDs",
  },

  // Serotonin and the nervous system
  {
    a: "serotonergic antidepressants",
    b: "MAOIs",
    severity: "critical",
    effect: "serotonin syndrome: allow 2 weeks between them (5 weeks after stopping fluoxetine)",
    source:
      "FDA labels Zoloft (sertraline), Prozac (fluoxetine), 4 Contraindications (MAOIs); BNF Appendix 1: MAOIs",
  },
  {
    a: "MAOIs",
    b: "tramadol",
    severity: "critical",
    effect: "serotonin syndrome and seizures",
    source: "FDA label Ultram (tramadol), 4 Contraindications (MAOIs within 14 days)",
  },
  {
    a: "MAOIs",
    b: "pethidine",
    severity: "critical",
    effect: "excitation or coma, hyperpyrexia, deaths",
    source: "BNF Appendix 1: MAOIs + pethidine",
  },
  {
    a: "MAOIs",
    b: "tricyclic antidepressants",
    severity: "high",
    effect: "serotonin syndrome and hypertensive reactions",
    source: "BNF Appendix 1: MAOIs + tricyclic antidepressants",
  },
  {
    a: "serotonergic antidepressants",
    b: "tramadol",
    severity: "high",
    effect: "serotonin syndrome and a lower seizure threshold",
    source:
      "BNF Appendix 1: tramadol + SSRIs; FDA label Ultram (tramadol), 5 Warnings (serotonin syndrome)",
  },
  {
    a: "opioids",
    b: "benzodiazepines",
    severity: "high",
    effect: "profound sedation, respiratory depression, coma and death",
    source: "FDA Drug Safety Communication (2016): boxed warning on opioids with benzodiazepines",
  },
  {
    a: "sodium valproate",
    b: "lamotrigine",
    severity: "high",
    effect:
      "valproate doubles lamotrigine levels: serious rash (SJS/TEN); use the lamotrigine schedule for valproate",
    source: "FDA label Lamictal (lamotrigine), Boxed Warning and 2 Dosage (valproate)",
  },
  {
    a: "levothyroxine",
    b: "polyvalent cation products",
    severity: "moderate",
    effect: "iron, calcium and antacids reduce levothyroxine absorption: separate by 4 hours",
    source: "BNF Appendix 1: levothyroxine + iron, calcium salts, antacids",
  },

  // Heart
  {
    a: "PDE5 inhibitors",
    b: "organic nitrates",
    severity: "critical",
    effect: "profound hypotension",
    source: "FDA label Viagra (sildenafil), 4 Contraindications (nitrates)",
  },
  {
    a: "sildenafil",
    b: "HIV protease inhibitors",
    severity: "high",
    effect: "sildenafil levels rise several-fold: no more than 25 mg in 48 hours",
    source: "FDA label Viagra (sildenafil), 7 Drug Interactions (ritonavir)",
  },
  {
    a: "beta-blockers",
    b: "rate-limiting calcium-channel blockers",
    severity: "high",
    effect: "asystole, AV block, severe hypotension and heart failure (verapamil especially)",
    source: "BNF Appendix 1: beta-blockers + verapamil, diltiazem",
  },
  {
    a: "digoxin",
    b: "amiodarone",
    severity: "high",
    effect: "amiodarone about doubles digoxin levels: halve the digoxin dose",
    source: "BNF Appendix 1: digoxin + amiodarone",
  },
  {
    a: "digoxin",
    b: "verapamil",
    severity: "moderate",
    effect: "verapamil raises digoxin levels and adds AV block",
    source: "BNF Appendix 1: digoxin + verapamil",
  },
  {
    a: "simvastatin",
    b: "amiodarone",
    severity: "moderate",
    effect: "myopathy: no more than 20 mg simvastatin a day",
    source: "FDA label Zocor (simvastatin), 2 Dosage (amiodarone: do not exceed 20 mg)",
  },
  {
    a: "simvastatin",
    b: "amlodipine",
    severity: "moderate",
    effect: "myopathy: no more than 20 mg simvastatin a day",
    source: "FDA label Zocor (simvastatin), 2 Dosage (amlodipine: do not exceed 20 mg)",
  },
  {
    a: "simvastatin",
    b: "rate-limiting calcium-channel blockers",
    severity: "moderate",
    effect: "myopathy: no more than 10 mg simvastatin a day",
    source: "FDA label Zocor (simvastatin), 2 Dosage (verapamil, diltiazem: do not exceed 10 mg)",
  },
  {
    a: "allopurinol",
    b: "thiopurines",
    severity: "high",
    effect:
      "allopurinol blocks thiopurine breakdown: marrow toxicity; give a quarter of the thiopurine dose",
    source: "BNF Appendix 1: azathioprine, mercaptopurine + allopurinol",
  },
  {
    a: "QT-prolonging drugs",
    b: "QT-prolonging drugs",
    severity: "high",
    effect:
      "additive QT prolongation: torsades de pointes; avoid, or check the ECG and electrolytes",
    source: "CredibleMeds QTdrugs list; BNF Appendix 1: drugs that prolong the QT interval",
  },
];
