// What `require('@tfweights/npy')` gives: @tfweights/npy is an ES module package.
throw new Error(
  "@tfweights/npy is ESM-only and cannot be require()d. Use `import … from '@tfweights/npy'` in an ES module " +
    "(package.json \"type\": \"module\" or a .mjs file), or `await import('@tfweights/npy')` from CommonJS.",
);
