// What `require('@tfweights/safetensors')` gives: @tfweights/safetensors is an ES module package.
throw new Error(
  "@tfweights/safetensors is ESM-only and cannot be require()d. Use `import … from '@tfweights/safetensors'` in an ES module " +
    "(package.json \"type\": \"module\" or a .mjs file), or `await import('@tfweights/safetensors')` from CommonJS.",
);
