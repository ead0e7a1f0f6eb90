/** The tfjs `model.json` sniffer without the codec or tfjs-core. Import as `@tfweights/tfjs/detect`. */
export { tfjsFormat } from './format.js';
