import type { GenerateContentResponse } from './genai-types';
import type { CallCharge } from './call-charge';
import { usageOf } from './usage-from-response';

/**
 * The caller's stream, chunk for chunk, charged once when it ends: from the last usage the service
 * reported (each chunk carries the usage so far; the last one the final usage). A stream that
 * fails or is abandoned mid-way is charged what its last chunk reported; one that ends before any
 * usage arrived is released (nothing was billed that we can know of).
 */
export async function* governedStream(inner: AsyncGenerator<GenerateContentResponse>, charge: CallCharge): AsyncGenerator<GenerateContentResponse> {
  let last: GenerateContentResponse['usageMetadata'];
  let completed = false;
  try {
    for await (const chunk of inner) {
      if (chunk.usageMetadata) last = chunk.usageMetadata;
      yield chunk;
    }
    completed = true;
  } finally {
    // Runs on completion, on an error (abort included) and when the caller stops iterating.
    if (last) charge.charge(usageOf(last), completed);
    else if (completed) charge.charge(undefined, true);
    else charge.release();
  }
}
