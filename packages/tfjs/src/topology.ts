/**
 * Layers of a layers-model topology: Keras-converted (`{keras_version, backend,
 * model_config: {class_name, config}}`) or tfjs-layers-written (`{class_name, config,
 * keras_version, backend}`); `config.layers` (or, in old Keras Sequential, `config` itself).
 */

export interface TopologyLayer {
  readonly name: string;
  readonly className?: string;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The model config object (`{class_name, config}`) inside a layers-model topology, if any. */
export function modelConfigOf(topology: unknown): Record<string, unknown> | undefined {
  if (!isRecord(topology)) return undefined;
  if (isRecord(topology.model_config)) return topology.model_config;
  if (typeof topology.class_name === 'string') return topology;
  return undefined;
}

/** Top-level layers in model order; empty for graph models or unknown shapes. */
export function topologyLayers(topology: unknown): TopologyLayer[] {
  const cfg = modelConfigOf(topology);
  if (!cfg) return [];
  const inner = cfg.config;
  const list = Array.isArray(inner) ? inner : isRecord(inner) && Array.isArray(inner.layers) ? inner.layers : [];
  const out: TopologyLayer[] = [];
  for (const l of list as unknown[]) {
    if (!isRecord(l)) continue;
    const name = typeof l.name === 'string' ? l.name : isRecord(l.config) && typeof l.config.name === 'string' ? l.config.name : undefined;
    if (name === undefined) continue;
    out.push(typeof l.class_name === 'string' ? { name, className: l.class_name } : { name });
  }
  return out;
}

/** The layer a weight name belongs to: the longest layer name that prefixes `name/`. */
export function layerOfWeight(weightName: string, layers: readonly TopologyLayer[]): string | undefined {
  let best: string | undefined;
  for (const l of layers) {
    if (weightName.startsWith(`${l.name}/`) && (!best || l.name.length > best.length)) best = l.name;
  }
  return best;
}
