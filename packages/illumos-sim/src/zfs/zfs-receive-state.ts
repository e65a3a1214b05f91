import type { DatasetRecord, PartialReceive } from '../core/state-types.js';
import { encodeResumeToken } from './resume-token.js';

/**
 * The state a resumable receive leaves behind (dsl_dataset.c's DS_FIELD_RESUME_* entries):
 * on a new dataset, the dataset itself, inconsistent; on an existing one, its hidden clone
 * `<fs>/%recv`. `zfs get receive_resume_token` reads either (get_receive_resume_stats).
 */
export function partialStateOf(ds: DatasetRecord): PartialReceive | undefined {
  return ds.recvClone ?? ds.partial;
}

/** The object a resume point names: the volume's data object, or 0 for a file system. */
export function resumeObject(state: PartialReceive): number {
  return state.type === 'volume' ? 1 : 0;
}

export function resumeTokenOf(ds: DatasetRecord): string | undefined {
  const state = partialStateOf(ds);
  if (!state) return undefined;
  return encodeResumeToken({
    ...(state.fromguid !== undefined ? { fromguid: state.fromguid } : {}),
    object: resumeObject(state),
    offset: state.offset,
    bytes: state.bytes,
    toguid: state.toguid,
    toname: state.toname,
  });
}
