/**
 * The printable prescription (src/modules/clinical/prescription-pdf.ts), read back the way a
 * pharmacy would: the text is extracted with pdf.js (pure JavaScript, so CI needs no poppler),
 * page 1 is rasterised by pdf.js and its QR code decoded with jsQR, and the QR matrix is also
 * decoded on its own from a bitmap drawn here.
 */
import assert from "node:assert/strict";
import jsqr from "jsqr";
import { getDocument } from "pdfjs-dist/legacy/build/pdf.mjs";
import {
  type PrescriptionPrint,
  renderPrescriptionPdf,
} from "../src/modules/clinical/prescription-pdf.ts";
import { formatBirth, formatNumber } from "../src/modules/clinical/pdf/format.ts";
import { qrMatrix } from "../src/modules/clinical/pdf/qr.ts";

// jsqr is CommonJS: Deno's default import is module.exports, the function itself, which its
// types describe as the module's `default`.
const jsQR = jsqr as unknown as typeof jsqr.default;

type Item = PrescriptionPrint["items"][number];

const ITEMS: Item[] = [
  {
    medication: "Amoxil",
    genericName: "Amoxicillin",
    dose: 250,
    unit: "mg",
    route: "oral",
    frequency: "3 times a day",
    durationDays: 7,
    quantity: 21,
    quantityUnit: "capsules",
    instructions: "Take after meals. Finish the whole course even if she feels better.",
  },
  {
    medication: "Calpol",
    genericName: "Paracetamol",
    dose: 250,
    unit: "mg",
    route: "oral",
    frequency: "as needed, at most 4 a day",
    durationDays: 3,
    quantity: 1,
    quantityUnit: "bottle",
    instructions: "For fever above 38.5 °C.",
  },
  {
    medication: "Insulatard",
    genericName: "Insulin isophane",
    dose: 0.1 + 0.2,
    unit: "mL",
    route: "subcutaneous",
    frequency: "every 12 hours",
    durationDays: null,
    quantity: null,
    instructions: null,
  },
];

function sample(overrides: Partial<PrescriptionPrint> = {}): PrescriptionPrint {
  return {
    clinic: {
      name: "Clinique Santé Pikine",
      facility: "Consultations externes",
      address: "Rue 10, Pikine, Dakar, Sénégal",
      phone: "+221 33 800 00 00",
    },
    prescriber: { name: "Dr Ndéye Fatou Diop", employeeId: "EMP-0042", role: "Médecin" },
    patient: {
      name: "Zoë Njoroge",
      mrn: "000123",
      birthDate: "2019-04-03",
      sex: "female",
      weightKg: 18.5,
    },
    number: "RX-202612-0042",
    issuedOn: "2026-12-01",
    validUntil: "2026-12-30",
    items: ITEMS,
    notes: "Review in 3 days if the fever persists.",
    ...overrides,
  };
}

/** The 40-item prescription of a replica: "Amoxil 1" … "Insulatard 40". */
function longSample() {
  return sample({
    number: "RX-K2-202612-0043",
    items: Array.from({ length: 40 }, (_, i) => ({
      ...ITEMS[i % 3],
      medication: `${ITEMS[i % 3].medication} ${i + 1}`,
    })),
  });
}

/** Each page's text items (one per drawn line), in reading order. */
async function readPdf(bytes: Uint8Array) {
  const task = getDocument({ data: bytes.slice() });
  const pdf = await task.promise;
  try {
    const pages: string[][] = [];
    const sizes: number[][] = [];
    for (let n = 1; n <= pdf.numPages; n++) {
      const page = await pdf.getPage(n);
      const content = await page.getTextContent();
      pages.push(content.items.map((item: any) => item.str).filter((s: string) => s.trim()));
      sizes.push(page.view);
    }
    const { info } = await pdf.getMetadata() as { info: Record<string, string> };
    return { pages, sizes, info };
  } finally {
    await task.destroy();
  }
}

/** Rasterises a page with pdf.js and decodes the QR code in its bottom-right quarter. */
async function qrOnPage(bytes: Uint8Array, pageNumber: number) {
  const task = getDocument({ data: bytes.slice() });
  const pdf = await task.promise;
  try {
    const page = await pdf.getPage(pageNumber);
    const viewport = page.getViewport({ scale: 2 });
    const { canvas, context } = (pdf as any).canvasFactory.create(viewport.width, viewport.height);
    await page.render({ canvas, canvasContext: context, viewport }).promise;
    // A whole page of text confuses the finder; the code is promised bottom right.
    const [w, h] = [Math.floor(canvas.width / 3), Math.floor(canvas.height / 4)];
    const image = context.getImageData(canvas.width - w, canvas.height - h, w, h);
    return jsQR(new Uint8ClampedArray(image.data.buffer), w, h)?.data;
  } finally {
    await task.destroy();
  }
}

/** Draws a QR matrix as RGBA pixels, 4 px a module, with the 4-module quiet zone. */
function rasterise(matrix: boolean[][]) {
  const scale = 4;
  const side = (matrix.length + 8) * scale;
  const pixels = new Uint8ClampedArray(side * side * 4).fill(255);
  matrix.forEach((row, r) =>
    row.forEach((dark, c) => {
      if (!dark) return;
      for (let y = 0; y < scale; y++) {
        for (let x = 0; x < scale; x++) {
          const at = (((r + 4) * scale + y) * side + (c + 4) * scale + x) * 4;
          pixels.fill(0, at, at + 3);
        }
      }
    })
  );
  return jsQR(pixels, side, side)?.data;
}

Deno.test("a 3-item prescription is one A4 page with every field readable", async () => {
  const bytes = await renderPrescriptionPdf(sample());
  assert.equal(new TextDecoder().decode(bytes.slice(0, 5)), "%PDF-");
  const { pages, sizes, info } = await readPdf(bytes);
  assert.equal(pages.length, 1);
  assert.deepEqual(sizes[0].map(Math.round), [0, 0, 595, 842]);
  const lines = pages[0];
  for (
    const expected of [
      "Clinique Santé Pikine",
      "Consultations externes",
      "Rue 10, Pikine, Dakar, Sénégal",
      "Tel. +221 33 800 00 00",
      "Prescription",
      "RX-202612-0042",
      "Issued 2026-12-01",
      "Zoë Njoroge",
      "000123",
      "2019-04-03 (7 y)",
      "Female",
      "18.5 kg",
      "Amoxil",
      "(Amoxicillin)",
      "Calpol",
      "(Paracetamol)",
      "Insulatard",
      "(Insulin isophane)",
      "0.3 mL",
      "subcutaneous",
      "every 12 hours",
      "7 days",
      "21 capsules",
      "For fever above 38.5 °C.",
      "Review in 3 days if the fever persists.",
      "Valid until 2026-12-30",
      "Dr Ndéye Fatou Diop, Médecin",
      "Employee ID EMP-0042",
      "Signature and stamp",
      "Page 1 of 1",
    ]
  ) {
    assert.ok(lines.includes(expected), `"${expected}" not on the page:\n${lines.join("\n")}`);
  }
  // Unknown duration and quantity print as a dash, not "null".
  assert.ok(lines.filter((l) => l === "–").length >= 2);
  assert.ok(!lines.some((l) => /null|undefined|NaN/.test(l)), lines.join("\n"));
  assert.equal(info.Title, "Prescription RX-202612-0042");
  assert.equal(info.Author, "Clinique Santé Pikine");
  assert.equal(info.Producer, "Clinic API");
});

Deno.test("40 items flow over pages, each with the header, patient and page N of M", async () => {
  const { pages } = await readPdf(await renderPrescriptionPdf(longSample()));
  assert.ok(pages.length >= 2, `${pages.length} page(s)`);
  pages.forEach((lines, i) => {
    for (
      const expected of [
        "Clinique Santé Pikine",
        "Prescription",
        "RX-K2-202612-0043",
        "Medicine",
        "Instructions",
        `Page ${i + 1} of ${pages.length}`,
      ]
    ) {
      assert.ok(lines.includes(expected), `page ${i + 1} lacks "${expected}"`);
    }
    assert.ok(lines.some((l) => l.includes("Zoë Njoroge")), `page ${i + 1} lacks the patient`);
    // The signature block is on the last page only; earlier pages point to it.
    const last = i === pages.length - 1;
    assert.equal(lines.includes("Valid until 2026-12-30"), last);
    assert.equal(lines.includes("Signature and stamp"), last);
  });
  // Every medicine printed exactly once, in order.
  const all = pages.flat();
  const names = all.filter((l) => /^(Amoxil|Calpol|Insulatard) \d+$/.test(l));
  assert.deepEqual(names, longSample().items.map((item) => item.medication));
});

Deno.test("a row longer than a page is split across pages, losing no word", async () => {
  const words = Array.from({ length: 900 }, (_, i) => `w${i}`);
  const item = { ...ITEMS[0], instructions: words.join(" ") };
  const { pages } = await readPdf(await renderPrescriptionPdf(sample({ items: [item] })));
  assert.ok(pages.length >= 2);
  const printed = pages.flat().join(" ").split(/\s+/).filter((w) => /^w\d+$/.test(w));
  assert.deepEqual(printed, words);
});

Deno.test("the QR code printed bottom right decodes to exactly the number", async () => {
  assert.equal(await qrOnPage(await renderPrescriptionPdf(sample()), 1), "RX-202612-0042");
  const long = await renderPrescriptionPdf(longSample());
  assert.equal(await qrOnPage(long, 1), "RX-K2-202612-0043");
  assert.equal(await qrOnPage(long, 2), "RX-K2-202612-0043");
});

Deno.test("the QR matrix decodes to the number, in upper case or not", () => {
  for (const number of ["RX-202612-0042", "RX-K2-202612-0042", "rx-2026/12-0042 é"]) {
    assert.equal(rasterise(qrMatrix(number)), number);
  }
  // Upper-case numbers use alphanumeric mode: the smallest code, the largest modules.
  assert.equal(qrMatrix("RX-202612-0042").length, 21);
});

Deno.test("optional fields left out print no placeholder words", async () => {
  const bare = sample({
    clinic: { name: "Zahanati ya Kijiji" },
    prescriber: { name: "Amina Otieno" },
    patient: { name: "Baraka", mrn: "9" },
    notes: null,
    items: [],
  });
  const { pages } = await readPdf(await renderPrescriptionPdf(bare));
  const lines = pages[0];
  assert.ok(lines.includes("Amina Otieno"));
  assert.ok(lines.includes("No medicines prescribed."));
  assert.ok(!lines.includes("WEIGHT") && !lines.includes("NOTES"));
  assert.ok(!lines.some((l) => /null|undefined|NaN|Tel\./.test(l)), lines.join("\n"));
});

Deno.test("age on the day of issue: days, then months, then years", () => {
  assert.equal(formatBirth("2026-11-20", "2026-12-01"), "2026-11-20 (11 d)");
  assert.equal(formatBirth("2025-01-15", "2026-12-01"), "2025-01-15 (22 mo)");
  assert.equal(formatBirth("2024-12-02", "2026-12-01"), "2024-12-02 (23 mo)");
  assert.equal(formatBirth("1960-02-29", "2026-12-01"), "1960-02-29 (66 y)");
  assert.equal(formatBirth("2027-01-01", "2026-12-01"), "2027-01-01");
  assert.equal(formatBirth(null, "2026-12-01"), "–");
  assert.equal(formatNumber(0.1 + 0.2), "0.3");
});
