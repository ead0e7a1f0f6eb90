/** The safetensors sniffer without the codec. Import as `@tfweights/safetensors/detect`. */
export { safetensorsFormat } from './format.js';
