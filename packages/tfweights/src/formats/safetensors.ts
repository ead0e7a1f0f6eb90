/** safetensors through @tfweights/safetensors: header-first, so the writer takes the plan up front. */
import { safetensorsFormat } from '@tfweights/safetensors/detect';

const node = () => import('@tfweights/safetensors/node');
import type { FormatAdapter } from './adapter.js';

export const safetensorsAdapter: FormatAdapter = {
  id: 'safetensors',
  title: 'safetensors',
  extensions: ['.safetensors'],
  detect: (p) => p.kind === 'file' && p.sniff !== undefined && safetensorsFormat.sniff(p.sniff),
  open: async (path) => (await node()).openSafetensors(path),
  create: async (path, opts) => (await node()).createSafetensorsWriter(path, opts.plan, { overwrite: opts.overwrite }),
};
