import { expect } from 'vitest';
import { type MediaSummary, foreignAddresses, until } from './call-checks';

// What every end-to-end call checks of its media, in any browser: video decoded and audio heard
// (plus whatever `shown` asks), over relay candidates only, and no address in either SDP but the
// virtual relayed ones. Resolves with the summary that passed, for more checks.
export async function expectRelayedMedia<M extends MediaSummary>(
  who: string,
  read: () => Promise<M>,
  shown: (m: M) => boolean = () => true,
): Promise<M> {
  const m = await until(`${who}'s media`, 40_000, read, (s) => s.framesDecoded > 10 && s.audioPacketsReceived > 20 && shown(s));
  expect(m.localCandidateType, `${who}'s local candidate`).toMatch(/^relay/);
  expect(m.remoteCandidateType, `${who}'s remote candidate`).toMatch(/^relay/);
  expect(foreignAddresses(m.localSdp), `${who}'s local SDP`).toEqual([]);
  expect(foreignAddresses(m.remoteSdp), `${who}'s remote SDP`).toEqual([]);
  expect(m.remoteSdp).toMatch(/typ relay/);
  return m;
}
