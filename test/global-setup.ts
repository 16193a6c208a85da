// Global test setup: nothing shared yet beyond a clean temp root per run.
export default function setup(): void {}
