/** The billing services other files of the module reach for by one name. */
export { invoiceView, readInvoiceRow, toInvoice } from "./invoices.ts";
export { priceFor } from "./prices.ts";
