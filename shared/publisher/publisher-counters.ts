/**
 * The running counts behind `stats()`. One object is shared by reference: the facade adds
 * `accepted`, flow control and the series limit add `dropped`, the batch sender adds `published`,
 * `failed` and `retries` — so a drop report's `droppedTotal` is the total at that moment.
 */
export interface PublisherCounters {
  accepted: number;
  published: number;
  /** Events refused (drop-newest, throw) or evicted (drop-oldest) by a full buffer. */
  dropped: number;
  /** Events whose batch exhausted its retries or was still unsent when `close()` timed out. */
  failed: number;
  /** Publish attempts that failed transiently and were retried. */
  retries: number;
}

export function zeroCounters(): PublisherCounters {
  return { accepted: 0, published: 0, dropped: 0, failed: 0, retries: 0 };
}
