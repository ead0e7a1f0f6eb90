#!/usr/bin/env node
/** The `tfweights` executable. */
import { main } from './main.js';

// `tfweights ls big.h5 | head`: a closed pipe ends the program quietly, as other tools do.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
}

process.exitCode = await main(process.argv.slice(2));
