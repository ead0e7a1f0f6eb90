// What `require('@tfweights/keras')` gives: @tfweights/keras is an ES module package.
throw new Error(
  "@tfweights/keras is ESM-only and cannot be require()d. Use `import … from '@tfweights/keras'` in an ES module " +
    "(package.json \"type\": \"module\" or a .mjs file), or `await import('@tfweights/keras')` from CommonJS.",
);
