/**
 * Page geometry, type sizes and colours shared by the prescription's parts, in PDF points
 * (1/72 inch). One place, so the header, table and footer band line up with each other.
 */
import { rgb } from "pdf-lib";

export const MM = 72 / 25.4;
/** A4 portrait. */
export const PAGE_WIDTH = 210 * MM;
export const PAGE_HEIGHT = 297 * MM;
export const MARGIN = 14 * MM;
export const CONTENT_WIDTH = PAGE_WIDTH - 2 * MARGIN;

/** The QR code's side, without its quiet zone: 30 mm reads at arm's length on any scanner. */
export const QR_SIZE = 30 * MM;
/** Height kept free at the bottom of every page for the QR code, signature and page number. */
export const BAND_HEIGHT = QR_SIZE + 22 * MM;

export const INK = rgb(0.1, 0.1, 0.1);
export const MUTED = rgb(0.38, 0.38, 0.38);
export const RULE = rgb(0.75, 0.75, 0.75);
export const SHADE = rgb(0.93, 0.93, 0.93);
export const STRIPE = rgb(0.975, 0.975, 0.975);
