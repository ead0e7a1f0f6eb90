// What `require('@tfweights/checkpoint')` gives: @tfweights/checkpoint is an ES module package.
throw new Error(
  "@tfweights/checkpoint is ESM-only and cannot be require()d. Use `import … from '@tfweights/checkpoint'` in an ES module " +
    "(package.json \"type\": \"module\" or a .mjs file), or `await import('@tfweights/checkpoint')` from CommonJS.",
);
