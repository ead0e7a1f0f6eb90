/**
 * fflate, loaded on first use: every process imports the core, few of them touch a deflated
 * zip member, and evaluating fflate is a measurable part of the CLI's start-up.
 */
type Fflate = typeof import('fflate');

let loaded: Fflate | undefined;

/** Load fflate once; later calls resolve at once. */
export async function loadFflate(): Promise<Fflate> {
  loaded ??= await import('fflate');
  return loaded;
}

/** fflate after {@link loadFflate} resolved (the deflater is synchronous). */
export function fflateNow(): Fflate {
  if (!loaded) throw new Error('fflate is not loaded yet: await loadFflate() first');
  return loaded;
}
