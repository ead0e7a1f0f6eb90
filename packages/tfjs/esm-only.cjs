// What `require('@tfweights/tfjs')` gives: @tfweights/tfjs is an ES module package.
throw new Error(
  "@tfweights/tfjs is ESM-only and cannot be require()d. Use `import … from '@tfweights/tfjs'` in an ES module " +
    "(package.json \"type\": \"module\" or a .mjs file), or `await import('@tfweights/tfjs')` from CommonJS.",
);
