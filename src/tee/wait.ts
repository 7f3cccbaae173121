// A small polling wait shared by the enclave gate (gate.ts) and the secure pipeline
// (pipeline/secure-pipeline.ts) for their whenUp(): checks a condition on a timer until it holds,
// a stop condition holds, or time runs out. Input: two predicates and a timeout. Output: a promise
// of whether the condition came true.
/** Polls every intervalMs: true once cond() holds; false once stop() holds or timeoutMs has passed. */
export function pollUntil(cond: () => boolean, stop: () => boolean, timeoutMs: number, intervalMs = 5): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve) => {
    const poll = (): void => {
      if (cond()) return resolve(true);
      if (stop() || Date.now() > deadline) return resolve(false);
      setTimeout(poll, intervalMs);
    };
    poll();
  });
}
