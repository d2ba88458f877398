// Waits for something another process, replica or socket does: retries `check` until it passes (returns
// without throwing), and fails with its last error once `ms` have passed. Polls; never sleeps longer.
export async function eventually<T>(check: () => T | Promise<T>, ms = 5000, everyMs = 10): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      return await check();
    } catch (e) {
      if (Date.now() > deadline) throw e;
      await new Promise((r) => setTimeout(r, everyMs));
    }
  }
}
