// What `require('@tfweights/core')` gives: @tfweights/core is an ES module package.
throw new Error(
  "@tfweights/core is ESM-only and cannot be require()d. Use `import … from '@tfweights/core'` in an ES module " +
    "(package.json \"type\": \"module\" or a .mjs file), or `await import('@tfweights/core')` from CommonJS.",
);
