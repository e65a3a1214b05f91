import {
  ApiError,
  controllerRoutes,
  ErrorBody,
  Image,
  type UploadImageReqQuery,
} from '@apiary/protocol';
import type { z } from 'zod';

export interface UploadProgress {
  loaded: number;
  total: number;
}

/**
 * Streams an image file to `POST /v1/images?name=&format=`. XMLHttpRequest rather than the
 * fetch-based client because only XHR reports upload progress in browsers; the answer is still
 * parsed with the protocol's schemas and errors become the same ApiError.
 */
export function uploadImage(options: {
  file: Blob;
  query: z.input<typeof UploadImageReqQuery>;
  token: string;
  onProgress: (progress: UploadProgress) => void;
  signal?: AbortSignal;
}): Promise<Image> {
  const url = new URL(controllerRoutes.uploadImage.path, window.location.origin);
  for (const [key, value] of Object.entries(options.query)) {
    if (value !== undefined) url.searchParams.set(key, String(value));
  }
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', url.href);
    xhr.setRequestHeader('authorization', `Bearer ${options.token}`);
    xhr.setRequestHeader('content-type', 'application/octet-stream');
    xhr.setRequestHeader('accept', 'application/json');
    xhr.upload.onprogress = (e) => {
      options.onProgress({
        loaded: e.loaded,
        total: e.lengthComputable ? e.total : options.file.size,
      });
    };
    xhr.onerror = () => reject(new ApiError('unavailable', 'the upload was interrupted'));
    xhr.onabort = () => reject(new ApiError('unavailable', 'upload cancelled'));
    xhr.onload = () => {
      let json: unknown;
      try {
        json = JSON.parse(xhr.responseText);
      } catch {
        json = undefined;
      }
      if (xhr.status >= 200 && xhr.status < 300) {
        const image = Image.safeParse(json);
        if (image.success) resolve(image.data);
        else reject(new ApiError('upstream_failed', 'unexpected answer to the upload'));
        return;
      }
      const body = ErrorBody.safeParse(json);
      reject(
        body.success
          ? ApiError.fromBody(body.data)
          : new ApiError('internal', `upload failed: HTTP ${xhr.status}`),
      );
    };
    options.signal?.addEventListener('abort', () => xhr.abort(), { once: true });
    xhr.send(options.file);
  });
}
