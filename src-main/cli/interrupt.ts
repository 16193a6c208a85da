/** Runs `work` with Ctrl-C bound to `cancel` (long jobs stop cleanly and keep what they finished). */
export async function cancelOnInterrupt<T>(cancel: () => void, work: () => Promise<T>): Promise<T> {
  const onSigint = () => cancel();
  process.once('SIGINT', onSigint);
  try {
    return await work();
  } finally {
    process.off('SIGINT', onSigint);
  }
}
