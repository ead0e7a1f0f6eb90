/**
 * @tfweights/converter: the `tfweights` CLI as a library. Run it in-process with `main`; the
 * pieces it is made of (format registry, conversion pipeline, diff, name mapping, statistics)
 * live in the `tfweights` package.
 */
export { main, errorLine, EXIT_OK, EXIT_DIFFERENT, EXIT_ERROR, type MainOptions } from './main.js';
export { processIo, memoryIo, type Io } from './io.js';
