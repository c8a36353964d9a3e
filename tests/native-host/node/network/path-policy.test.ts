import { describe, expect, it } from 'vitest';
import { encodeNodeId } from '../../../../lib/node-id';
import { FIREWALL, PathPolicy, decideAnswer, decideDial, worthPunching } from '../../../../native-host/node/network/path-policy';

const RELAY = Buffer.alloc(32, 0x11);
const PEER = Buffer.alloc(32, 0x22);
const peerId = encodeNodeId(PEER);

describe('decideDial', () => {
  it('goes through the relay in private mode, directly outside it or with an allowed contact', () => {
    expect(decideDial({ private: true, direct: false, relay: RELAY })).toEqual({ relay: RELAY });
    expect(decideDial({ private: true, direct: true, relay: RELAY })).toEqual({ relay: null });
    expect(decideDial({ private: false, direct: false, relay: null })).toEqual({ relay: null });
  });

  it('never falls back to a direct connection when private mode knows no relay', () => {
    expect(decideDial({ private: true, direct: false, relay: null })).toEqual({ noRelay: true });
  });
});

describe('decideAnswer', () => {
  const base = { private: true, direct: false, relay: RELAY, blocked: false, strangerShut: false, offered: null };
  const OFFERED = Buffer.alloc(32, 0x33);

  it('answers through our own relay, directly for an allowed contact or outside private mode', () => {
    expect(decideAnswer(base)).toEqual({ relay: RELAY });
    expect(decideAnswer({ ...base, direct: true })).toEqual({ relay: null });
    expect(decideAnswer({ ...base, private: false, relay: null })).toEqual({ relay: null });
  });

  it('answers through the relay the caller asked for when it is one we trust, even if ours would be another', () => {
    expect(decideAnswer({ ...base, offered: OFFERED })).toEqual({ relay: OFFERED });
    expect(decideAnswer({ ...base, relay: null, offered: OFFERED })).toEqual({ relay: OFFERED });
    expect(decideAnswer({ ...base, direct: true, offered: OFFERED })).toEqual({ relay: null });
    expect(decideAnswer({ ...base, blocked: true, offered: OFFERED })).toEqual({ refuse: 'blocked' });
  });

  it('refuses blocked keys, strangers while only contacts may ring, and everyone while no relay is known', () => {
    expect(decideAnswer({ ...base, blocked: true, direct: true })).toEqual({ refuse: 'blocked' });
    expect(decideAnswer({ ...base, strangerShut: true })).toEqual({ refuse: 'not-a-contact' });
    expect(decideAnswer({ ...base, relay: null })).toEqual({ refuse: 'no-relay' });
    // Outside private mode the same rules hold for blocked keys and strangers.
    expect(decideAnswer({ ...base, private: false, blocked: true })).toEqual({ refuse: 'blocked' });
  });
});

describe('PathPolicy', () => {
  function policy(o: { private?: boolean; relay?: Buffer | null; link?: boolean } = {}) {
    return new PathPolicy({ private: o.private ?? true, relay: () => o.relay ?? RELAY, linkAdmits: () => o.link ?? false });
  }

  it('applies the browser rules by node id', () => {
    const p = policy();
    expect(p.dial(PEER)).toEqual({ relay: RELAY });
    p.setRules({ blocked: new Set(), allowOnly: null, direct: new Set([peerId]) });
    expect(p.dial(PEER)).toEqual({ relay: null });
    expect(p.answer(PEER)).toEqual({ relay: null });
    p.setRules({ blocked: new Set([peerId]), allowOnly: null, direct: new Set([peerId]) });
    expect(p.answer(PEER)).toEqual({ refuse: 'blocked' });
  });

  it('lets a stranger through while only contacts may ring only if a call link of ours admits it', () => {
    const rules = { blocked: new Set<string>(), allowOnly: new Set<string>(), direct: new Set<string>() };
    const shut = policy();
    shut.setRules(rules);
    expect(shut.answer(PEER)).toEqual({ refuse: 'not-a-contact' });
    const withLink = policy({ link: true });
    withLink.setRules(rules);
    expect(withLink.answer(PEER)).toEqual({ relay: RELAY });
    const contact = policy();
    contact.setRules({ ...rules, allowOnly: new Set([peerId]) });
    expect(contact.answer(PEER)).toEqual({ relay: RELAY });
  });

  it('answers strangers while only contacts may ring when a published site admits them', () => {
    let site = true;
    const p = new PathPolicy({ private: true, relay: () => RELAY, linkAdmits: () => false, admitsStrangers: () => site });
    p.setRules({ blocked: new Set<string>(), allowOnly: new Set<string>(), direct: new Set<string>() });
    expect(p.answer(PEER)).toEqual({ relay: RELAY });
    site = false;
    expect(p.answer(PEER)).toEqual({ refuse: 'not-a-contact' });
    // A blocked key stays refused, site or not.
    site = true;
    p.setRules({ blocked: new Set([peerId]), allowOnly: new Set<string>(), direct: new Set<string>() });
    expect(p.answer(PEER)).toEqual({ refuse: 'blocked' });
  });

  it('takes a relay the caller offers only if acceptsOffer says so', () => {
    const OFFERED = Buffer.alloc(32, 0x33);
    const CALLERS = Buffer.alloc(32, 0x44);
    const p = new PathPolicy({ private: true, relay: () => RELAY, linkAdmits: () => false, acceptsOffer: (r) => r.equals(OFFERED) });
    expect(p.answer(PEER, OFFERED)).toEqual({ relay: OFFERED });
    expect(p.answer(PEER, CALLERS)).toEqual({ relay: RELAY });
    expect(p.answer(PEER)).toEqual({ relay: RELAY });
    // Without the option no offer is taken.
    expect(policy().answer(PEER, OFFERED)).toEqual({ relay: RELAY });
  });

  it('ignores the direct list outside private mode, where every connection is direct anyway', () => {
    const p = policy({ private: false, relay: null });
    expect(p.dial(PEER)).toEqual({ relay: null });
    expect(p.answer(PEER)).toEqual({ relay: null });
  });
});

describe('worthPunching', () => {
  const { OPEN, CONSISTENT, RANDOM, UNKNOWN } = FIREWALL;
  it('punches between NATs that keep their port, or towards an open side', () => {
    expect(worthPunching(CONSISTENT, CONSISTENT, true)).toBe(true);
    expect(worthPunching(OPEN, CONSISTENT, true)).toBe(true);
    expect(worthPunching(UNKNOWN, CONSISTENT, true)).toBe(true);
  });

  it('goes through the relay at once when either side would have to guess ports', () => {
    expect(worthPunching(RANDOM, CONSISTENT, true)).toBe(false);
    expect(worthPunching(CONSISTENT, RANDOM, true)).toBe(false);
    expect(worthPunching(RANDOM, RANDOM, true)).toBe(false);
  });

  it('tries every punch when there is no relay to fall back on', () => {
    expect(worthPunching(RANDOM, RANDOM, false)).toBe(true);
    expect(worthPunching(RANDOM, CONSISTENT, false)).toBe(true);
  });
});
