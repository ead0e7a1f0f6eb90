// What `require('@tfweights/converter')` gives: @tfweights/converter is an ES module package.
throw new Error(
  "@tfweights/converter is ESM-only and cannot be require()d. Use `import … from '@tfweights/converter'` in an ES module " +
    "(package.json \"type\": \"module\" or a .mjs file), or `await import('@tfweights/converter')` from CommonJS.",
);
