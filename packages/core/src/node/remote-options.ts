/**
 * Settings of remote reads and writes for the whole process (the CLI sets them once from its
 * flags; programs may call {@link setRemoteOptions}): S3 endpoint and signing, HTTP limits.
 */
import type { HttpSourceOptions } from '../http-source.js';

export interface RemoteOptions {
  /** S3-compatible endpoint (MinIO, R2, GCS interoperability …); default `AWS_ENDPOINT_URL_S3` / `AWS_ENDPOINT_URL`. */
  endpoint?: string;
  /** Send S3 requests unsigned (public buckets), like the AWS CLI's `--no-sign-request`. */
  noSignRequest?: boolean;
  /** S3 region (default `AWS_REGION` / `AWS_DEFAULT_REGION`, else us-east-1). */
  region?: string;
  /** Path-style S3 URLs (default: on when an endpoint is set, as MinIO and most S3-compatible stores need). */
  forcePathStyle?: boolean;
  /** HTTP(S) read settings: time-outs, retries, requests in flight, full download of Range-less servers. */
  http?: HttpSourceOptions;
  /** Size of each multipart-upload part in bytes (default 8 MiB; S3 wants ≥ 5 MiB). */
  partSize?: number;
  /** Called with the byte count of every piece received or sent (progress, throughput). */
  onBytes?: (n: number, direction: 'down' | 'up') => void;
  /** Notices for the user (e.g. a file downloaded to a temporary copy). */
  log?: (line: string) => void;
}

let current: RemoteOptions = {};

/** Replace the process-wide remote settings (merged over the defaults). */
export function setRemoteOptions(opts: RemoteOptions): void {
  current = { ...opts };
}

/** The process-wide remote settings. */
export function remoteOptions(): RemoteOptions {
  return current;
}
