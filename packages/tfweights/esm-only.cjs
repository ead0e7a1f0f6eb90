// What `require('tfweights')` gives: tfweights is an ES module package.
throw new Error(
  "tfweights is ESM-only and cannot be require()d. Use `import … from 'tfweights'` in an ES module " +
    "(package.json \"type\": \"module\" or a .mjs file), or `await import('tfweights')` from CommonJS.",
);
