/** Usage counters kept per model, for reports (share of spend, what a cheaper model would cost). */
export const MODEL_COUNTERS = ['inputTokens', 'outputTokens', 'inputChars', 'outputChars', 'images'] as const;

export interface ModelUsage {
  micros: number;
  events: number;
  inputTokens: number;
  outputTokens: number;
  inputChars: number;
  outputChars: number;
  images: number;
}
