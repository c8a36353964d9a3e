import { ResolveError } from '../lib/names/errors';
import { NameResolver } from '../lib/names/resolver';

// A check against the PUBLIC Aleph Zero endpoints, run only by hand (`npm run check:live-names`):
// it is the one command here that leaves this machine, so it is not part of the tests. It
// reads the real registry: a known name resolves (or is registered without a node id), a
// nonsense name is not registered. The chain is winding down (docs/names.md), so a failure
// here may be news rather than a bug.

async function main(): Promise<number> {
  const r = new NameResolver();
  try {
    // domains.azero is the example name of AZERO.ID's own resolver documentation.
    const known = await r.resolve('domains.azero').catch((e: unknown) => e);
    if (known instanceof ResolveError && !['NO_NODE_ID', 'RECORD_MALFORMED'].includes(known.code)) {
      console.error(`domains.azero: ${known.code}: ${known.message}`);
      return 1;
    }
    if (!(known instanceof ResolveError) && (known as { source?: string }).source !== 'chain') {
      console.error(`domains.azero: not read from the chain: ${String(known)}`);
      return 1;
    }
    const nonsense = await r.resolve('copybara-no-such-name-4821.azero').catch((e: unknown) => e);
    if (!ResolveError.is(nonsense, 'NAME_NOT_REGISTERED')) {
      console.error(`a nonsense name: expected NAME_NOT_REGISTERED, got ${String(nonsense)}`);
      return 1;
    }
    console.log('live AZERO.ID: the registry answers as expected');
    return 0;
  } finally {
    await r.close();
  }
}

const timer = setTimeout(() => {
  console.error('live AZERO.ID: no answer within 60 s');
  process.exit(1);
}, 60_000);
timer.unref();
main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
