import { StunError } from '../../native-host/node/turn/errors';

/** The StunError code `fn` throws, 'no error' if it returns; any other throw fails the test. */
export function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof StunError) return err.code;
    throw err;
  }
  return 'no error';
}
