/**
 * A real S3-compatible server (s3rver) on 127.0.0.1 for the remote tests, with a client that
 * signs with s3rver's default key (S3RVER / S3RVER) for setting buckets up and looking inside.
 */
import S3rver from 's3rver';
import { S3Client } from '@aws-sdk/client-s3';

export interface TestS3 {
  readonly endpoint: string;
  /** A signed client for set-up and checks (not the code under test). */
  readonly client: S3Client;
  close(): Promise<void>;
}

/** s3rver storing under `directory`, with `buckets` created. */
export async function startTestS3(directory: string, buckets: readonly string[]): Promise<TestS3> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  const s3 = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory, configureBuckets: buckets.map((name) => ({ name, configs: [] })) });
  const { port } = await s3.run();
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new S3Client({ endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
  return {
    endpoint, client,
    close: async () => {
      client.destroy();
      // Idle keep-alive connections (the SDK's) would hold close() open.
      (s3 as unknown as { httpServer?: { closeAllConnections?: () => void } }).httpServer?.closeAllConnections?.();
      await s3.close();
    },
  };
}
