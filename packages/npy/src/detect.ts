/**
 * What a format registry needs without loading the codec: the `.npy` / `.npz` sniffers and
 * the name of a `.npy` folder's index. Import as `@tfweights/npy/detect`.
 */
export { npyFormat, npzFormat } from './formats.js';
export { NPY_FOLDER_INDEX } from './npy-folder.js';
