// Filled by the billing work in progress (issue 12).
export {};
