/**
 * Errors across a worker_threads boundary: structured cloning keeps an Error's message but not
 * its class or our fields, so a TfwError crosses as its code and fields and is rebuilt as the
 * same class with the same one-line message.
 */
import {
  ChecksumMismatchError, CorruptDataError, InvalidArgumentError, IoError, isTfwError, LimitExceededError, NotThisFormatError, RefusedError,
  TfwError, UnsupportedDtypeError, type TfwErrorCode,
} from '@tfweights/core';

/** An error as it crosses: a TfwError's code and fields, or just the message of any other error. */
export interface SentError {
  readonly message: string;
  readonly code?: TfwErrorCode;
  readonly fields?: { file?: string; entry?: string; offset?: number; expected?: string; found?: string };
}

export function sendError(err: unknown): SentError {
  if (!isTfwError(err)) return { message: err instanceof Error ? err.message : String(err) };
  const fields: Record<string, string | number> = {};
  for (const k of ['file', 'entry', 'offset', 'expected', 'found'] as const) if (err[k] !== undefined) fields[k] = err[k];
  return { message: err.message, code: err.code, fields };
}

const CLASSES: Partial<Record<TfwErrorCode, new (problem: string) => TfwError>> = {
  NotThisFormat: NotThisFormatError, CorruptData: CorruptDataError, ChecksumMismatch: ChecksumMismatchError, UnsupportedDtype: UnsupportedDtypeError,
  LimitExceeded: LimitExceededError, InvalidArgument: InvalidArgumentError, Refused: RefusedError, IoError,
};

/** The error again on this side: the same TfwError class (TensorNotFound as a plain TfwError) and message. */
export function receiveError(sent: SentError): Error {
  if (!sent.code) return new Error(sent.message);
  const Cls = CLASSES[sent.code];
  const err = Cls ? new Cls(sent.message) : new TfwError(sent.code, sent.message);
  // The message was formatted on the other side (file, entry, expected/found already in it).
  Object.defineProperty(err, 'message', { value: sent.message, writable: true, configurable: true });
  for (const [k, v] of Object.entries(sent.fields ?? {})) Object.defineProperty(err, k, { value: v, enumerable: true });
  return err;
}
