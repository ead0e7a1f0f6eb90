#!/usr/bin/env node
// `npx tfweights …` / `tfweights …` after `npm i tfweights`: the CLI lives in @tfweights/converter
// (a peer dependency that npm and pnpm install with this package), so the library's own
// dependency graph stays acyclic while the command is reachable under the name users type.
await import('@tfweights/converter/bin');
