// Types of what `require()` gives: nothing, the require throws (see esm-only.cjs).
export {};
