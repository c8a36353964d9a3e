import { encodeNodeId } from '../../../lib/node-id';
// How an overlay connection runs, decided per connection: through a blind relay (private mode),
// directly (holepunched, each side learns the other's address), or not at all. The decisions are
// pure functions of what the node knows; PathPolicy holds that knowledge.

import type { Route } from './backend';

export type { Route };

export type DialDecision = Route | { noRelay: true };
export type AnswerDecision = Route | { refuse: AnswerRefusal };
export type AnswerRefusal = 'blocked' | 'not-a-contact' | 'no-relay';

export interface PathFacts {
  // Private mode: nobody learns this node's address from a connection unless the person allowed it.
  private: boolean;
  // The person allows direct connections with this peer (a contact, with the setting on).
  direct: boolean;
  // The relay to use now, if any is known.
  relay: Buffer | null;
}

export function decideDial(f: PathFacts): DialDecision {
  if (!f.private || f.direct) return { relay: null };
  return f.relay ? { relay: f.relay } : { noRelay: true };
}

export interface AnswerFacts extends PathFacts {
  blocked: boolean;
  // The relay the caller asked for, when it is one we would use ourselves (PathPolicyOptions.
  // acceptsOffer); else null.
  offered: Buffer | null;
  // Only contacts may ring, this key is not one, and no call link of ours that it may
  // present is open (whoever holds a link may be a stranger, and their ring presents it only after the
  // handshake). Such a handshake is refused before any reply, so the dialler learns nothing,
  // not even the address the DHT would add to a reply.
  strangerShut: boolean;
}

// Whom to answer, and how. Answered privately, the reply names our own relay: the caller's
// choice of relay is taken only when it is one we trust as much as our own pick (a relay run by
// the caller would learn our address). Taking it keeps both sides on the relay the caller chose:
// HyperDHT pairs through the one our reply names, and a caller that redials a call because its
// relay failed has already moved away from it, perhaps before we noticed.
export function decideAnswer(f: AnswerFacts): AnswerDecision {
  if (f.blocked) return { refuse: 'blocked' };
  if (f.strangerShut) return { refuse: 'not-a-contact' };
  if (!f.private || f.direct) return { relay: null };
  const relay = f.offered ?? f.relay;
  return relay ? { relay } : { refuse: 'no-relay' };
}

// HyperDHT's NAT kinds as its holepunch reports them (FIREWALL in its lib/constants.js).
export const FIREWALL = { UNKNOWN: 0, OPEN: 1, CONSISTENT: 2, RANDOM: 3 } as const;

// Whether a direct connection goes on to holepunch once both sides' NAT kinds are known. Where
// either side's NAT picks a new public port per destination, the punch is a guessing game that
// takes seconds and often loses; with a relay to fall back on, the relay rings sooner. With
// none (direct mode), every punch is worth trying.
export function worthPunching(remoteFirewall: number, localFirewall: number, relayToFallBackOn: boolean): boolean {
  if (!relayToFallBackOn) return true;
  return remoteFirewall !== FIREWALL.RANDOM && localFirewall !== FIREWALL.RANDOM;
}

export interface PeerRules {
  blocked: ReadonlySet<string>;
  // null: anyone may ring.
  allowOnly: ReadonlySet<string> | null;
  // Node ids that may connect directly; empty unless the person allows it for contacts.
  direct: ReadonlySet<string>;
}

export interface PathPolicyOptions {
  private: boolean;
  // The relay to use now (a RelayChooser's pick), or null.
  relay(): Buffer | null;
  // Whether a call link of ours that this node id may present can still be answered.
  linkAdmits(nodeId: string): boolean;
  // Whether a relay a caller asks for may carry the connection we answer; none is when absent.
  acceptsOffer?(relay: Buffer): boolean;
  // Whether strangers' handshakes are answered even while only contacts may ring: true while the
  // node publishes a site, which is open to anyone. Their rings are still refused (ring-gate.ts).
  admitsStrangers?(): boolean;
}

// The node's side of the decisions: its mode, the browser's rules about peers (the
// `ring-policy` request keeps them current) and the relays it knows.
export class PathPolicy {
  private _rules: PeerRules = { blocked: new Set(), allowOnly: null, direct: new Set() };

  constructor(private readonly _o: PathPolicyOptions) {}

  get private(): boolean {
    return this._o.private;
  }

  // How many peers may be reached directly (contacts, with the setting on).
  get directCount(): number {
    return this._o.private ? this._rules.direct.size : 0;
  }

  setRules(rules: PeerRules): void {
    this._rules = rules;
  }

  dial(peer: Buffer): DialDecision {
    return decideDial(this._facts(encodeNodeId(peer)));
  }

  // `offered`: the relay the caller's handshake asks for, if any.
  answer(peer: Buffer, offered: Buffer | null = null): AnswerDecision {
    const key = encodeNodeId(peer);
    const { blocked, allowOnly } = this._rules;
    return decideAnswer({
      ...this._facts(key),
      offered: offered !== null && this._o.private && (this._o.acceptsOffer?.(offered) ?? false) ? offered : null,
      blocked: blocked.has(key),
      strangerShut: allowOnly !== null && !allowOnly.has(key) && !this._o.linkAdmits(key) && !(this._o.admitsStrangers?.() ?? false),
    });
  }

  private _facts(key: string): PathFacts {
    const direct = this._o.private && this._rules.direct.has(key);
    return { private: this._o.private, direct, relay: direct || !this._o.private ? null : this._o.relay() };
  }
}
