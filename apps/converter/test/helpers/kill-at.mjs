// Test-only preload (node --import): kill this process with SIGKILL at one exact step of an
// output's commit, to check what a kill -9 at that moment leaves. TFW_TEST_KILL_AT is
// `rename:K` (just before the K-th fs.promises.rename of the process) or `rm:K` (at the first
// fs.promises.rm after K renames: an old output moved aside, not yet removed).
import { createRequire, syncBuiltinESMExports } from 'node:module';

const [what, k] = (process.env.TFW_TEST_KILL_AT ?? '').split(':');
const at = Number(k);
if (what === 'rename' || what === 'rm') {
  const fsp = createRequire(import.meta.url)('node:fs/promises');
  const { rename, rm } = fsp;
  let renames = 0;
  fsp.rename = async (...args) => {
    if (what === 'rename' && ++renames === at) process.kill(process.pid, 'SIGKILL');
    if (what === 'rm') renames++;
    return rename(...args);
  };
  fsp.rm = async (...args) => {
    if (what === 'rm' && renames === at) process.kill(process.pid, 'SIGKILL');
    return rm(...args);
  };
  syncBuiltinESMExports();
}
