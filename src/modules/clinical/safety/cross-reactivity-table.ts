/**
 * Allergy cross-reactivity between classes, encoded as a risk lower than a class match: a
 * penicillin allergy against a cephalosporin is a moderate warning (about 1-2% react, more with
 * first-generation cephalosporins sharing a side chain), against a carbapenem a low one (under
 * 1%). Left out on purpose: sulfonamide antibacterials against non-antibacterial sulfonamides
 * (furosemide, thiazides, celecoxib), whose cross-reactivity the evidence does not support
 * (Strom et al., N Engl J Med 2003;349:1628-35), so they give no warning.
 */
import type { CrossReactivity } from "./types.ts";

const PRACTICE_PARAMETER =
  "Khan DA et al., Drug allergy: a 2022 practice parameter update, J Allergy Clin Immunol 2022;150:1333-93";

export const CROSS_REACTIVITY: readonly CrossReactivity[] = [
  {
    allergy: "penicillins",
    drug: "cephalosporins",
    severity: "moderate",
    note:
      "about 1-2% of penicillin-allergic patients react to a cephalosporin; avoid after an immediate (anaphylactic) penicillin reaction",
    source: `BNF, Cephalosporins: cautions (penicillin hypersensitivity); ${PRACTICE_PARAMETER}`,
  },
  {
    allergy: "penicillins",
    drug: "carbapenems",
    severity: "low",
    note: "under 1% of penicillin-allergic patients react to a carbapenem",
    source: PRACTICE_PARAMETER,
  },
  {
    allergy: "cephalosporins",
    drug: "penicillins",
    severity: "moderate",
    note:
      "cross-reactivity with penicillins is mostly through shared side chains (cefalexin, cefadroxil with amoxicillin, ampicillin)",
    source: PRACTICE_PARAMETER,
  },
  {
    allergy: "cephalosporins",
    drug: "carbapenems",
    severity: "low",
    note: "under 1% of cephalosporin-allergic patients react to a carbapenem",
    source: PRACTICE_PARAMETER,
  },
  {
    allergy: "carbapenems",
    drug: "penicillins",
    severity: "low",
    note: "cross-reactivity between carbapenems and penicillins is under 1%",
    source: PRACTICE_PARAMETER,
  },
];
