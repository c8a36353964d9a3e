// For work nobody waits on (a notification, a tab, a hang-up on the way out): a failure
// there has no one to answer, so it is written down rather than thrown.
export function warnFailed(what: string): (err: unknown) => void {
  return (err: unknown) => console.warn(`Copybara: ${what} failed`, err);
}
