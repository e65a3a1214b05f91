import { ApiError, type FailureCode } from '@apiary/protocol';

/** A VM operation that did not succeed; recorded on the VM. */
export class VmOpError extends Error {
  constructor(
    readonly code: FailureCode,
    msg: string,
  ) {
    super(msg);
  }
}

/** The saga was asked to stop (shutdown); the work resumes on the next start. */
export class Interrupted extends Error {}

export function asVmOpError(error: unknown, what: string): VmOpError {
  if (error instanceof VmOpError || error instanceof Interrupted) return error as VmOpError;
  if (error instanceof ApiError) return new VmOpError(error.code, `${what}: ${error.message}`);
  return new VmOpError('internal', `${what}: ${String(error)}`);
}
