// Filled in by its own feature; registered in schema.ts.
export {};
