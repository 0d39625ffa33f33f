/** A progress bar on a terminal; does nothing when the stream is not a TTY. */
export interface ProgressBar {
  /** Records progress in [0, 1]; draws once the run has taken longer than the delay. */
  update(fraction: number): void;
  /** Erases the bar if it was drawn. */
  finish(): void;
}

/**
 * A one-line bar on `stream` (normally stderr), drawn only when `stream.isTTY` and only after
 * `delayMs` (default 1000 ms) have passed since creation, at most ten times a second.
 */
export function createProgressBar(options: {
  stream: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  label: string;
  delayMs?: number;
}): ProgressBar {
  const { stream, label } = options;
  if (!stream.isTTY) return { update() {}, finish() {} };
  const startedAtMs = Date.now();
  const delayMs = options.delayMs ?? 1000;
  let drawnAtMs = 0;
  let drawn = false;
  return {
    update(fraction) {
      const nowMs = Date.now();
      if (nowMs - startedAtMs < delayMs || nowMs - drawnAtMs < 100) return;
      drawnAtMs = nowMs;
      drawn = true;
      const clamped = Math.min(1, Math.max(0, fraction));
      const width = Math.max(10, Math.min(40, (stream.columns ?? 80) - label.length - 10));
      const filled = Math.round(clamped * width);
      stream.write(`\r${label} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${Math.floor(clamped * 100)}%`);
    },
    finish() {
      if (drawn) stream.write('\r\u001b[2K');
      drawn = false;
    },
  };
}
