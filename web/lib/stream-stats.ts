/**
 * The speed of an answer as the browser saw it: time to first token from the
 * moment the message was sent to the first text that arrived, and tokens per
 * second over the streaming part (first text to the `done` event), with the
 * token counts the `done` event's usage reports.
 */

export interface StreamStats {
  /** Milliseconds from sending to the first answer text. */
  ttftMs: number | null;
  /** Completion tokens per second while the answer streamed. */
  tokensPerSecond: number | null;
  promptTokens: number;
  completionTokens: number;
  /** Milliseconds from sending to the end of the answer. */
  totalMs: number;
}

/** StreamClock collects the times of one stream; times are performance.now() values. */
export class StreamClock {
  private first: number | null = null;
  constructor(private readonly sentAt: number) {}

  /** text notes that answer text arrived at t. */
  text(t: number): void {
    if (this.first === null) this.first = t;
  }

  /** done turns the times and the done event's usage into stats. */
  done(t: number, usage: { prompt_tokens?: number; completion_tokens?: number } | undefined): StreamStats {
    const completion = usage?.completion_tokens ?? 0;
    const streamed = this.first === null ? 0 : t - this.first;
    // One chunk, or a stream faster than the clock can tell apart, has no meaningful rate.
    const tps = completion > 1 && streamed >= 1 ? ((completion - 1) * 1000) / streamed : null;
    return {
      ttftMs: this.first === null ? null : this.first - this.sentAt,
      tokensPerSecond: tps,
      promptTokens: usage?.prompt_tokens ?? 0,
      completionTokens: completion,
      totalMs: t - this.sentAt,
    };
  }
}
