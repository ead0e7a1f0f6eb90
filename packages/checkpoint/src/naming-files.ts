/** File names of a bundle (tensorflow/core/util/tensor_bundle/naming.cc). */

/** `<prefix>.index` */
export function indexFileName(prefix: string): string {
  return `${prefix}.index`;
}

/** `<prefix>.data-%05d-of-%05d` */
export function dataFileName(prefix: string, shardId: number, numShards: number): string {
  return `${prefix}.data-${String(shardId).padStart(5, '0')}-of-${String(numShards).padStart(5, '0')}`;
}
