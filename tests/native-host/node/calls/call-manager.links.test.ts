import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { encodeNodeId } from '../../../../lib/node-id';
import type { CallInfo, NodeEvent } from '../../../../lib/protocol/native';
import type { SignallingMessage } from '../../../../lib/protocol/signalling';
import { CallManager } from '../../../../native-host/node/calls/call-manager';
import { Invitations } from '../../../../native-host/node/calls/invitations';
import { encodeMediaDatagram } from '../../../../native-host/node/calls/media-datagram';
import { FakeBackend, FakeLink, FakeTurn } from '../../../../testkit/calls/fakes';

// Rings that present one of our call links, with the invitations real (on a temporary
// file) and everything else faked. A link is a bearer token: whoever presents it first may
// be a stranger, so only a link made for one named callee connects without the maker's click.

const ME = Buffer.alloc(32, 1);
const STRANGER = Buffer.alloc(32, 2);
const FRIEND = Buffer.alloc(32, 3);
const CALL = 'ab'.repeat(16);
const NOW_S = 1_000_000;

let dir: string;
let turn: FakeTurn;
let events: NodeEvent[];
let invitations: Invitations;
let calls: CallManager;

beforeEach(async () => {
  vi.useFakeTimers({ now: NOW_S * 1000 });
  dir = await mkdtemp(join(tmpdir(), 'copybara-links-'));
  turn = new FakeTurn();
  events = [];
  // A seed and any public key: issuing only signs, nothing here verifies the link.
  invitations = new Invitations(join(dir, 'invitations.json'), Buffer.concat([Buffer.alloc(32, 9), ME]));
  calls = new CallManager({ backend: new FakeBackend(), turn, publicKey: ME, emit: (e) => events.push(e), log: () => {}, invitations });
});
afterEach(async () => {
  void calls.close();
  await invitations.flush();
  vi.useRealTimers();
  await rm(dir, { recursive: true, force: true });
});

const info = (): CallInfo | undefined => calls.list().find((c) => c.callId === CALL);

function present(key: Buffer, invitation: string): FakeLink {
  const link = new FakeLink(key);
  link.reply = (m: SignallingMessage) => (m.type === 'ping' ? { type: 'pong', seq: m.seq } : null);
  calls.accept(link);
  link.receive({ type: 'ring', callId: CALL, name: null, video: true, invitation });
  return link;
}

function waitingLink(callee: Buffer | null = null): string {
  const { invitation } = invitations.issue({ nowS: NOW_S, callee: callee ? encodeNodeId(callee) : null });
  invitations.setWaiting(invitation, true);
  return invitation;
}

describe('a ring presenting our call link while our tab waits', () => {
  it('from anyone (a link for no one in particular): shown to us, not answered, no media until we confirm', async () => {
    const link = present(STRANGER, waitingLink());
    expect(info()).toMatchObject({ state: 'incoming', viaLink: true, peer: encodeNodeId(STRANGER) });
    expect(link.types()).toEqual(['ringing']);
    expect(turn.users.size).toBe(0);
    await expect(calls.turn(CALL, 'chromium')).rejects.toThrow(/media is relayed only for an answered call/);
    // Media the stranger sends before we confirm reaches nobody.
    link.emit('datagram', encodeMediaDatagram(7, 8, Buffer.from('early')));
    await vi.advanceTimersByTimeAsync(5_000);
    expect(turn.delivered).toEqual([]);
    expect(info()?.state).toBe('incoming');

    expect(calls.answer(CALL).state).toBe('active');
    expect(link.types()).toEqual(expect.arrayContaining(['ringing', 'accept']));
    expect(turn.users.size).toBe(1);
  });

  it('from anyone, declined by the maker: the caller hears declined and nothing was relayed', () => {
    const link = present(STRANGER, waitingLink());
    calls.decline(CALL);
    expect(info()).toMatchObject({ state: 'ended', reason: 'declined' });
    expect(link.sent.at(-1)).toEqual({ type: 'decline', callId: CALL });
    expect(turn.users.size).toBe(0);
  });

  it('with "only contacts can ring me", a stranger presenting our open link still reaches the maker; without it, busy', () => {
    calls.setRingPolicy({ blocked: [], allowOnly: [encodeNodeId(FRIEND)] });
    const link = present(STRANGER, waitingLink());
    expect(info()).toMatchObject({ state: 'incoming', viaLink: true });
    expect(link.types()).toEqual(['ringing']);
    calls.decline(CALL);

    const plain = new FakeLink(STRANGER);
    calls.accept(plain);
    plain.receive({ type: 'ring', callId: 'ef'.repeat(16), name: null, video: true, invitation: null });
    expect(plain.types()).toEqual(['busy']);
  });

  it('a stranger the maker turns away does not use the link up; the call the maker answers does', () => {
    const invitation = waitingLink();
    present(STRANGER, invitation);
    calls.decline(CALL);
    expect(invitations.verdict(invitation, encodeNodeId(FRIEND), NOW_S)).toEqual({ kind: 'ring' });

    invitations.setWaiting(invitation, true);
    const friend = new FakeLink(FRIEND);
    calls.accept(friend);
    friend.receive({ type: 'ring', callId: 'cd'.repeat(16), name: null, video: true, invitation });
    expect(calls.answer('cd'.repeat(16)).state).toBe('active');
    expect(invitations.verdict(invitation, encodeNodeId(STRANGER), NOW_S)).toEqual({ kind: 'refuse', reason: 'link-used' });
  });

  it('made for a named callee, from that callee: connected without a click', () => {
    const link = present(FRIEND, waitingLink(FRIEND));
    expect(info()).toMatchObject({ state: 'active', viaLink: true });
    expect(link.types()).toEqual(['accept']);
    expect(turn.users.size).toBe(1);
  });

  it('made for a named callee, from anyone else: refused, no call at all', () => {
    const link = present(STRANGER, waitingLink(FRIEND));
    expect(link.types()).toEqual(['refuse']);
    expect(link.sent[0]).toMatchObject({ reason: 'wrong-callee' });
    expect(link.closed).toBe(true);
    expect(info()).toBeUndefined();
    expect(events).toEqual([]);
  });

  it('nobody waiting: it rings as any call (not shown as the link arriving)', () => {
    const { invitation } = invitations.issue({ nowS: NOW_S });
    present(STRANGER, invitation);
    expect(info()).toMatchObject({ state: 'incoming', viaLink: false, invitation });
  });
});
