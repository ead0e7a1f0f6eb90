/** What `convert` needs beyond the parser, in one chunk that loads when `convert` runs. */
export { convert, formatBytes, parseCasts, parseRenameArgs } from 'tfweights/cli';
export { makeProgress } from '../progress.js';
export { outputSize } from '../output-size.js';
export { planReport, planText } from './convert-report.js';
