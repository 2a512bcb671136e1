/**
 * Drug classes and their hierarchy. Pharmacological groups follow the WHO ATC classification
 * (the code in `source`); the other groups (QT prolongation, enzyme inducers, polyvalent cations)
 * exist for the interaction table and cite the list they come from.
 *
 * `allergyGroup` marks the level at which an allergy to one member is taken as an allergy to
 * all (BNF: a patient allergic to one penicillin is allergic to all; NSAID hypersensitivity and
 * ACE-inhibitor angioedema are class contraindications; aromatic antiepileptics cross-react in
 * severe cutaneous reactions). `duplicate` marks the level at which two members prescribed
 * together are a duplicate therapy: the clinically meaningful one (two NSAIDs, two PPIs), not the
 * broad one (two antibacterials may well be intended).
 */
import type { DrugClass } from "./types.ts";

export const DRUG_CLASSES: readonly DrugClass[] = [
  // Anti-infectives
  {
    name: "antibacterials",
    member: "an antibacterial",
    aliases: ["antibiotics"],
    source: "WHO ATC J01",
  },
  {
    name: "beta-lactams",
    member: "a beta-lactam",
    parents: ["antibacterials"],
    aliases: ["beta lactam antibiotics", "β-lactams"],
    source: "WHO ATC J01C, J01D",
  },
  {
    name: "penicillins",
    member: "a penicillin",
    parents: ["beta-lactams"],
    allergyGroup: true,
    duplicate: true,
    source: "WHO ATC J01C; BNF Penicillins: hypersensitivity to one means to all",
  },
  {
    name: "aminopenicillins",
    member: "an aminopenicillin",
    parents: ["penicillins"],
    aliases: ["broad-spectrum penicillins"],
    source: "WHO ATC J01CA",
  },
  {
    name: "penicillinase-resistant penicillins",
    member: "a penicillinase-resistant penicillin",
    parents: ["penicillins"],
    source: "WHO ATC J01CF",
  },
  {
    name: "cephalosporins",
    member: "a cephalosporin",
    parents: ["beta-lactams"],
    allergyGroup: true,
    duplicate: true,
    aliases: ["cefalosporins"],
    source: "WHO ATC J01DB-J01DE",
  },
  {
    name: "carbapenems",
    member: "a carbapenem",
    parents: ["beta-lactams"],
    allergyGroup: true,
    duplicate: true,
    source: "WHO ATC J01DH",
  },
  {
    name: "beta-lactamase inhibitors",
    member: "a beta-lactamase inhibitor",
    source: "WHO ATC J01CG",
  },
  {
    name: "macrolides",
    member: "a macrolide",
    parents: ["antibacterials"],
    allergyGroup: true,
    duplicate: true,
    source: "WHO ATC J01FA",
  },
  {
    name: "fluoroquinolones",
    member: "a fluoroquinolone",
    parents: ["antibacterials"],
    allergyGroup: true,
    duplicate: true,
    aliases: ["quinolones"],
    source: "WHO ATC J01MA",
  },
  {
    name: "tetracyclines",
    member: "a tetracycline",
    parents: ["antibacterials"],
    allergyGroup: true,
    duplicate: true,
    source: "WHO ATC J01AA",
  },
  {
    name: "sulfonamide antibacterials",
    member: "a sulfonamide antibacterial",
    parents: ["antibacterials"],
    allergyGroup: true,
    duplicate: true,
    aliases: ["sulfonamides", "sulfa", "sulfa drugs", "sulfa antibiotics"],
    source: "WHO ATC J01E; sulfadoxine P01BD51",
  },
  {
    name: "aminoglycosides",
    member: "an aminoglycoside",
    parents: ["antibacterials"],
    allergyGroup: true,
    duplicate: true,
    source: "WHO ATC J01G",
  },
  {
    name: "nitroimidazoles",
    member: "a nitroimidazole",
    parents: ["antibacterials"],
    duplicate: true,
    source: "WHO ATC P01AB, J01XD",
  },
  {
    name: "trimethoprim group",
    member: "a dihydrofolate reductase inhibitor",
    parents: ["antibacterials"],
    source: "WHO ATC J01EA",
  },
  {
    name: "oxazolidinones",
    member: "an oxazolidinone",
    parents: ["antibacterials"],
    source: "WHO ATC J01XX08 (linezolid)",
  },
  {
    name: "nitrofurans",
    member: "a nitrofuran",
    parents: ["antibacterials"],
    source: "WHO ATC J01XE",
  },
  {
    name: "azole antifungals",
    member: "an azole antifungal",
    aliases: ["azoles"],
    duplicate: true,
    source: "WHO ATC J02AB, J02AC",
  },
  { name: "antivirals (herpes)", member: "a nucleoside antiviral", source: "WHO ATC J05AB" },

  // Tuberculosis
  {
    name: "antituberculosis drugs",
    member: "an antituberculosis drug",
    aliases: ["TB drugs"],
    source: "WHO ATC J04A",
  },
  {
    name: "rifamycins",
    member: "a rifamycin",
    parents: ["antituberculosis drugs"],
    duplicate: true,
    source: "WHO ATC J04AB",
  },

  // HIV
  {
    name: "antiretrovirals",
    member: "an antiretroviral",
    aliases: ["ARVs"],
    source: "WHO ATC J05A",
  },
  {
    name: "NRTIs",
    member: "an NRTI",
    parents: ["antiretrovirals"],
    aliases: ["nucleoside reverse transcriptase inhibitors"],
    source: "WHO ATC J05AF",
  },
  {
    name: "cytidine analogues",
    member: "a cytidine analogue",
    parents: ["NRTIs"],
    duplicate: true,
    source:
      "WHO ATC J05AF05, J05AF09; WHO HIV guidelines 2021: lamivudine and emtricitabine are interchangeable, never combined",
  },
  {
    name: "NNRTIs",
    member: "an NNRTI",
    parents: ["antiretrovirals"],
    duplicate: true,
    aliases: ["non-nucleoside reverse transcriptase inhibitors"],
    source: "WHO ATC J05AG",
  },
  {
    name: "integrase inhibitors",
    member: "an integrase inhibitor",
    parents: ["antiretrovirals"],
    duplicate: true,
    aliases: ["INSTIs"],
    source: "WHO ATC J05AJ",
  },
  {
    name: "HIV protease inhibitors",
    member: "an HIV protease inhibitor",
    parents: ["antiretrovirals"],
    aliases: ["protease inhibitors"],
    source: "WHO ATC J05AE",
  },

  // Malaria
  { name: "antimalarials", member: "an antimalarial", source: "WHO ATC P01B" },
  {
    name: "artemisinins",
    member: "an artemisinin derivative",
    parents: ["antimalarials"],
    duplicate: true,
    source: "WHO ATC P01BE, P01BF",
  },
  {
    name: "quinolines (antimalarial)",
    member: "a quinoline antimalarial",
    parents: ["antimalarials"],
    source: "WHO ATC P01BA, P01BC",
  },
  {
    name: "antifolate antimalarials",
    member: "an antifolate antimalarial",
    parents: ["antimalarials"],
    source: "WHO ATC P01BB, P01BD",
  },

  // Pain and inflammation
  {
    name: "NSAIDs",
    member: "an NSAID",
    allergyGroup: true,
    duplicate: true,
    aliases: ["non-steroidal anti-inflammatory drugs", "anti-inflammatories"],
    source: "WHO ATC M01A, N02BA; BNF NSAIDs: contraindicated after hypersensitivity to any NSAID",
  },
  { name: "non-opioid analgesics", member: "a non-opioid analgesic", source: "WHO ATC N02B" },
  {
    name: "opioids",
    member: "an opioid",
    duplicate: true,
    aliases: ["opiates", "narcotics"],
    source: "WHO ATC N02A, R05DA",
  },

  // Cardiovascular
  {
    name: "renin-angiotensin system blockers",
    member: "a renin-angiotensin system blocker",
    source: "WHO ATC C09",
  },
  {
    name: "ACE inhibitors",
    member: "an ACE inhibitor",
    parents: ["renin-angiotensin system blockers"],
    allergyGroup: true,
    duplicate: true,
    aliases: ["angiotensin-converting enzyme inhibitors", "ACEI"],
    source: "WHO ATC C09A; BNF ACE inhibitors: contraindicated after angioedema with any",
  },
  {
    name: "angiotensin receptor blockers",
    member: "an angiotensin receptor blocker",
    parents: ["renin-angiotensin system blockers"],
    duplicate: true,
    aliases: ["ARBs", "angiotensin II receptor antagonists", "sartans"],
    source: "WHO ATC C09C",
  },
  { name: "diuretics", member: "a diuretic", source: "WHO ATC C03" },
  {
    name: "thiazide diuretics",
    member: "a thiazide diuretic",
    parents: ["diuretics"],
    duplicate: true,
    aliases: ["thiazides"],
    source: "WHO ATC C03AA, C03BA",
  },
  {
    name: "loop diuretics",
    member: "a loop diuretic",
    parents: ["diuretics"],
    duplicate: true,
    source: "WHO ATC C03CA",
  },
  {
    name: "potassium-sparing diuretics",
    member: "a potassium-sparing diuretic",
    parents: ["diuretics"],
    duplicate: true,
    aliases: ["aldosterone antagonists", "mineralocorticoid receptor antagonists"],
    source: "WHO ATC C03DA, C03DB",
  },
  { name: "potassium supplements", member: "a potassium supplement", source: "WHO ATC A12BA" },
  {
    name: "beta-blockers",
    member: "a beta-blocker",
    duplicate: true,
    aliases: ["beta blocking agents", "β-blockers"],
    source: "WHO ATC C07A",
  },
  {
    name: "dihydropyridine calcium-channel blockers",
    member: "a dihydropyridine calcium-channel blocker",
    duplicate: true,
    source: "WHO ATC C08CA",
  },
  {
    name: "rate-limiting calcium-channel blockers",
    member: "a rate-limiting calcium-channel blocker",
    duplicate: true,
    source: "WHO ATC C08DA, C08DB (verapamil, diltiazem)",
  },
  {
    name: "statins",
    member: "a statin",
    duplicate: true,
    aliases: ["HMG-CoA reductase inhibitors"],
    source: "WHO ATC C10AA",
  },
  {
    name: "organic nitrates",
    member: "a nitrate",
    aliases: ["nitrates"],
    duplicate: true,
    source: "WHO ATC C01DA",
  },
  {
    name: "PDE5 inhibitors",
    member: "a PDE5 inhibitor",
    duplicate: true,
    aliases: ["phosphodiesterase-5 inhibitors"],
    source: "WHO ATC G04BE",
  },
  { name: "cardiac glycosides", member: "a cardiac glycoside", source: "WHO ATC C01AA" },
  { name: "antiarrhythmics", member: "an antiarrhythmic", source: "WHO ATC C01B" },

  // Blood
  {
    name: "anticoagulants",
    member: "an anticoagulant",
    duplicate: true,
    aliases: ["blood thinners"],
    source: "WHO ATC B01AA, B01AB, B01AE, B01AF",
  },
  {
    name: "vitamin K antagonists",
    member: "a vitamin K antagonist",
    parents: ["anticoagulants"],
    aliases: ["coumarins"],
    source: "WHO ATC B01AA",
  },
  {
    name: "direct oral anticoagulants",
    member: "a direct oral anticoagulant",
    parents: ["anticoagulants"],
    aliases: ["DOACs", "NOACs"],
    source: "WHO ATC B01AE07, B01AF",
  },
  { name: "heparins", member: "a heparin", parents: ["anticoagulants"], source: "WHO ATC B01AB" },
  { name: "antiplatelets", member: "an antiplatelet", source: "WHO ATC B01AC" },

  // Gastrointestinal, metabolic
  {
    name: "proton pump inhibitors",
    member: "a proton pump inhibitor",
    duplicate: true,
    aliases: ["PPIs"],
    source: "WHO ATC A02BC",
  },
  {
    name: "H2 antagonists",
    member: "an H2 antagonist",
    duplicate: true,
    aliases: ["H2 blockers"],
    source: "WHO ATC A02BA",
  },
  {
    name: "dopamine antagonist antiemetics",
    member: "a dopamine-antagonist antiemetic",
    duplicate: true,
    source: "WHO ATC A03FA",
  },
  { name: "biguanides", member: "a biguanide", source: "WHO ATC A10BA" },
  { name: "sulfonylureas", member: "a sulfonylurea", duplicate: true, source: "WHO ATC A10BB" },
  {
    name: "xanthines",
    member: "a xanthine",
    duplicate: true,
    aliases: ["methylxanthines"],
    source: "WHO ATC R03DA",
  },
  { name: "antigout drugs", member: "an antigout drug", source: "WHO ATC M04A" },
  {
    name: "thiopurines",
    member: "a thiopurine",
    duplicate: true,
    source: "WHO ATC L04AX01, L01BB02",
  },
  {
    name: "hormonal contraceptives",
    member: "a hormonal contraceptive",
    aliases: ["oral contraceptives", "the pill", "COC"],
    source: "WHO ATC G03A",
  },

  // Nervous system
  {
    name: "serotonergic antidepressants",
    member: "a serotonergic antidepressant",
    source: "WHO ATC N06AB, N06AX (venlafaxine, duloxetine)",
  },
  {
    name: "SSRIs",
    member: "an SSRI",
    parents: ["serotonergic antidepressants"],
    duplicate: true,
    aliases: ["selective serotonin reuptake inhibitors"],
    source: "WHO ATC N06AB",
  },
  {
    name: "SNRIs",
    member: "an SNRI",
    parents: ["serotonergic antidepressants"],
    duplicate: true,
    source: "WHO ATC N06AX16, N06AX21",
  },
  {
    name: "tricyclic antidepressants",
    member: "a tricyclic antidepressant",
    duplicate: true,
    aliases: ["TCAs", "tricyclics"],
    source: "WHO ATC N06AA",
  },
  {
    name: "MAOIs",
    member: "an MAOI",
    duplicate: true,
    aliases: ["monoamine oxidase inhibitors"],
    source: "WHO ATC N06AF, N06AG, N04BD",
  },
  {
    name: "benzodiazepines",
    member: "a benzodiazepine",
    duplicate: true,
    source: "WHO ATC N05BA, N05CD, N03AE",
  },
  {
    name: "antipsychotics",
    member: "an antipsychotic",
    duplicate: true,
    aliases: ["neuroleptics"],
    source: "WHO ATC N05A (excluding N05AN lithium)",
  },
  {
    name: "antiepileptics",
    member: "an antiepileptic",
    aliases: ["anticonvulsants"],
    source: "WHO ATC N03A",
  },
  {
    name: "aromatic antiepileptics",
    member: "an aromatic antiepileptic",
    parents: ["antiepileptics"],
    allergyGroup: true,
    source:
      "BNF Antiepileptic hypersensitivity syndrome: cross-sensitivity between carbamazepine, phenytoin, phenobarbital",
  },
  {
    name: "systemic corticosteroids",
    member: "a systemic corticosteroid",
    duplicate: true,
    aliases: ["steroids", "corticosteroids"],
    source: "WHO ATC H02AB",
  },
  {
    name: "benzimidazole anthelmintics",
    member: "a benzimidazole anthelmintic",
    duplicate: true,
    source: "WHO ATC P02CA",
  },
  { name: "antihistamines", member: "an antihistamine", duplicate: true, source: "WHO ATC R06A" },

  // Groups that exist for the interaction table
  {
    name: "QT-prolonging drugs",
    member: "a QT-prolonging drug",
    source:
      "CredibleMeds QTdrugs list, known risk of torsades de pointes; lumefantrine, piperaquine, quinine and mefloquine by their labels and the WHO Guidelines for malaria (2023)",
  },
  {
    name: "strong CYP3A4 inhibitors",
    member: "a strong CYP3A4 inhibitor",
    source:
      "FDA, Drug Development and Drug Interactions: Table of Substrates, Inhibitors and Inducers (clinical index inhibitors)",
  },
  {
    name: "enzyme-inducing drugs",
    member: "an enzyme-inducing drug",
    aliases: ["enzyme inducers"],
    source:
      "FSRH CEU Guidance: Drug Interactions with Hormonal Contraception (2022), list of enzyme-inducing drugs",
  },
  {
    name: "strong CYP3A4 inducers",
    member: "a strong CYP3A4 inducer",
    parents: ["enzyme-inducing drugs"],
    source:
      "FDA, Drug Development and Drug Interactions: Table of Substrates, Inhibitors and Inducers (strong inducers)",
  },
  {
    name: "polyvalent cation products",
    member: "a product containing polyvalent cations (iron, calcium, magnesium, aluminium, zinc)",
    aliases: ["antacids"],
    source: "WHO ATC A02A, B03A, A12AA, A12CB",
  },
];
