/**
 * A table whose cells wrap: each cell is a list of paragraphs (a bold medicine name, then its
 * generic name), laid out into lines first so a row's height is known before it is drawn. A
 * row that does not fit on what is left of a page moves to the next page whole; a row taller
 * than a whole page (pages of instructions) is split between lines instead, never clipped.
 */
import type { Color, PDFFont, PDFPage } from "pdf-lib";
import { wrapText } from "./text.ts";
import { INK, RULE } from "./style.ts";

export interface Column {
  title: string;
  width: number;
}

export interface Paragraph {
  text: string;
  font: PDFFont;
  color?: Color;
}

export interface Line {
  text: string;
  font: PDFFont;
  color: Color;
}

/** A row laid out: the lines of each column. */
export type LaidRow = Line[][];

export interface TableStyle {
  size: number;
  lineHeight: number;
  padX: number;
  padY: number;
}

export function layRow(cells: Paragraph[][], columns: Column[], style: TableStyle): LaidRow {
  return columns.map((column, i) =>
    (cells[i] ?? []).flatMap((p) =>
      wrapText(p.text, p.font, style.size, column.width - 2 * style.padX)
        .map((text) => ({ text, font: p.font, color: p.color ?? INK }))
    )
  );
}

export function rowHeight(row: LaidRow, style: TableStyle): number {
  const lines = Math.max(1, ...row.map((cell) => cell.length));
  return lines * style.lineHeight + 2 * style.padY;
}

/** How many lines of a row fit in `height`. */
export function linesFitting(height: number, style: TableStyle): number {
  return Math.floor((height - 2 * style.padY) / style.lineHeight);
}

/** The first `lines` lines of every cell, and the rest. */
export function splitRow(row: LaidRow, lines: number): [LaidRow, LaidRow] {
  return [row.map((cell) => cell.slice(0, lines)), row.map((cell) => cell.slice(lines))];
}

/**
 * Draws a row with its top edge at `top` from `left`, with an optional background, and a rule
 * under it. Returns the y of its bottom edge.
 */
export function drawRow(
  page: PDFPage,
  row: LaidRow,
  columns: Column[],
  style: TableStyle,
  left: number,
  top: number,
  background?: Color,
): number {
  const height = rowHeight(row, style);
  const width = columns.reduce((sum, c) => sum + c.width, 0);
  if (background) {
    page.drawRectangle({ x: left, y: top - height, width, height, color: background });
  }
  // Capitals are centred in the line, which leaves room above for accents and below for descenders.
  const baseline = style.lineHeight - (style.lineHeight - style.size * 0.72) / 2;
  let x = left;
  columns.forEach((column, i) => {
    row[i].forEach((line, n) => {
      page.drawText(line.text, {
        x: x + style.padX,
        y: top - style.padY - n * style.lineHeight - baseline,
        size: style.size,
        font: line.font,
        color: line.color,
      });
    });
    x += column.width;
  });
  page.drawLine({
    start: { x: left, y: top - height },
    end: { x: left + width, y: top - height },
    thickness: 0.5,
    color: RULE,
  });
  return top - height;
}
