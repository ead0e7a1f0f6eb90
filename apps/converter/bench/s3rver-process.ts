/**
 * An S3-compatible server (s3rver) in a process of its own, so a benchmark can kill it with
 * SIGKILL mid-upload and start it again on the same storage folder.
 * Usage: tsx bench/s3rver-process.ts DIR [BUCKET …]; prints `port <n>` once it listens.
 */
import S3rver from 's3rver';

const [directory, ...buckets] = process.argv.slice(2);
if (!directory) throw new Error('usage: s3rver-process.ts DIR [BUCKET …]');
const server = new S3rver({
  port: 0, address: '127.0.0.1', silent: true, directory,
  configureBuckets: buckets.map((name) => ({ name, configs: [] })),
});
const { port } = await server.run();
process.stdout.write(`port ${port}\n`);
