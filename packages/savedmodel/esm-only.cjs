// What `require('@tfweights/savedmodel')` gives: @tfweights/savedmodel is an ES module package.
throw new Error(
  "@tfweights/savedmodel is ESM-only and cannot be require()d. Use `import … from '@tfweights/savedmodel'` in an ES module " +
    "(package.json \"type\": \"module\" or a .mjs file), or `await import('@tfweights/savedmodel')` from CommonJS.",
);
