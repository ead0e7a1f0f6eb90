/** Version written into `convertedBy` (keep in step with packages/tfweights/package.json). */
export const TFWEIGHTS_VERSION = '0.1.0';
