import type { Allocation } from './allocation';
import { StunError } from './errors';
import { ATTR, FAMILY_IPV4, FAMILY_IPV6, MAGIC_COOKIE, unknownRequired } from './stun/constants';
import type { StunMessage } from './stun/message';
import type { TurnState } from './state';
import { CHANNEL_DATA_HEADER, channelDataEnd, encodeChannelData, writeChannelDataHeader } from './wire/channel-data';
import { encodeDataIndication } from './wire/indication';
import type { ClientAddress } from './types';
import type { TurnUser } from './user';

// The data path, both directions. Client -> peer: Send indications and ChannelData go to
// binding.send(). Peer -> client: deliver() wraps the overlay's datagram as ChannelData or
// a Data indication. These run once per media packet, so: no string building, no result
// objects, no copies beyond the one into the outgoing datagram (none at all when the caller
// lends the bytes in front of the data, see deliverToClient), checks in cheapest-first order.

const DATA_INDICATION_OVERHEAD = 20 + 12 + 4 + 3; // header, XOR-PEER-ADDRESS (IPv4), DATA header, padding

function oversize(state: TurnState, alloc: Allocation, length: number, direction: string): void {
  state.counters.dropped++;
  if (alloc.oversizeReported) return;
  alloc.oversizeReported = true;
  state.log.always(
    `allocation ${alloc.relayPort} (${alloc.user.name}): dropped ${length}-byte datagram ${direction}, ` +
      `over maxPayload ${alloc.user.binding.maxPayload}; further ones on this allocation are only counted`,
  );
}

function toPeer(state: TurnState, alloc: Allocation, peerPort: number, data: Buffer): void {
  const binding = alloc.user.binding;
  if (data.length > binding.maxPayload) {
    oversize(state, alloc, data.length, 'towards the peer');
    return;
  }
  binding.send(alloc.relayPort, peerPort, data);
  state.counters.relayedToPeer++;
}

/**
 * RFC 5766 §11.6 Receiving a ChannelData Message: "If the ChannelData message is received on
 * a channel that is not bound to any peer, then the message is silently discarded."
 * Otherwise the data goes to the bound peer, as a Send indication's would (§10.2), if a
 * permission for the peer's IP is still installed.
 */
export function relayChannelData(state: TurnState, datagram: Buffer, address: string, port: number): void {
  const end = channelDataEnd(datagram);
  const channel = (datagram[0]! << 8) | datagram[1]!;
  const now = state.now();
  const alloc = state.allocations.find(address, port, now);
  if (!alloc) {
    state.drop('no-allocation', `ChannelData from ${address}:${port} without an allocation`);
    return;
  }
  const ch = alloc.channel(channel, now);
  if (!ch) {
    state.drop('unbound-channel', `ChannelData on unbound channel 0x${channel.toString(16)}`);
    return;
  }
  if (!alloc.hasPermission(ch.peerAddress, now)) {
    state.drop('no-permission', `ChannelData to ${ch.peerAddress} without a permission`);
    return;
  }
  toPeer(state, alloc, ch.peerPort, datagram.subarray(CHANNEL_DATA_HEADER, end));
}

/**
 * The peer port of an XOR-PEER-ADDRESS if it names the user's peer IP, else -1. Compares
 * the XOR'ed bytes in place instead of decoding to a string: only binding.peerIp can ever
 * hold a permission, so any other address is dropped anyway.
 */
function peerPortIfOurs(value: Buffer, user: TurnUser): number {
  if (value.length === 8 && value[1] === FAMILY_IPV4) {
    const ip = user.peerIpBytes;
    const x = value.readUInt32BE(4) ^ MAGIC_COOKIE;
    if (x >>> 0 !== ip.readUInt32BE(0)) return -1;
    return value.readUInt16BE(2) ^ (MAGIC_COOKIE >>> 16);
  }
  if (value.length === 20 && value[1] === FAMILY_IPV6) return -1;
  throw new StunError('BAD_ATTR', `XOR-PEER-ADDRESS of ${value.length} bytes, family ${value[1] ?? '?'}`);
}

/** RFC 5766 §10.2 Receiving a Send Indication. */
export function relaySendIndication(state: TurnState, msg: StunMessage, client: ClientAddress): void {
  const now = state.now();
  // RFC 5766 §4: an indication whose 5-tuple has no allocation is "silently ignored".
  const alloc = state.allocations.find(client.address, client.port, now);
  if (!alloc) {
    state.drop('no-allocation', `Send indication from ${client.address}:${client.port} without an allocation`);
    return;
  }
  // RFC 5389 §7.3: "If the indication contains unknown comprehension-required attributes,
  // the indication is discarded and processing ceases."
  if (unknownRequired(msg.attributeTypes()).length > 0) {
    state.drop('unknown-attribute', 'Send indication with unknown comprehension-required attributes');
    return;
  }
  // "The Send indication MUST contain both an XOR-PEER-ADDRESS attribute and a DATA
  // attribute. If one of these attributes is missing or invalid, then the message is
  // discarded. Note that the DATA attribute is allowed to contain zero bytes of data."
  const peerAttr = msg.get(ATTR.XOR_PEER_ADDRESS);
  const data = msg.get(ATTR.DATA);
  if (!peerAttr || !data) {
    state.drop('bad-send', 'Send indication without XOR-PEER-ADDRESS or DATA');
    return;
  }
  // "The server also checks that there is a permission installed for the IP address
  // contained in the XOR-PEER-ADDRESS attribute. If no such permission exists, the message
  // is discarded."
  const peerPort = peerPortIfOurs(peerAttr, alloc.user);
  if (peerPort < 0 || !alloc.hasPermission(alloc.user.binding.peerIp, now)) {
    state.drop('no-permission', 'Send indication to a peer without a permission');
    return;
  }
  if (peerPort === 0) {
    state.drop('bad-send', 'Send indication to port 0');
    return;
  }
  toPeer(state, alloc, peerPort, data);
}

/**
 * RFC 5766 §10.3: "When the server receives a UDP datagram at a currently allocated relayed
 * transport address, the server looks up the allocation associated with the relayed
 * transport address. The server then checks to see whether the set of permissions for the
 * allocation allow the relaying of the UDP datagram ... If relaying is permitted, then the
 * server checks if there is a channel bound to the peer that sent the UDP datagram ... If a
 * channel is bound, then processing proceeds as described in Section 11.7. If relaying is
 * permitted but no channel is bound to the peer, then the server forms and sends a Data
 * indication." Here the "UDP datagram" comes from the overlay instead of a socket.
 *
 * `headroom`: how many bytes right before `data` in its ArrayBuffer the caller gives away
 * together with `data`. With 4 or more, ChannelData is framed in place (header written into
 * those bytes) and sent without a copy; the caller must then leave both untouched, as the
 * socket may still read them after this returns.
 */
export function deliverToClient(
  state: TurnState,
  username: string,
  fromPort: number,
  toPort: number,
  data: Uint8Array,
  headroom = 0,
): boolean {
  const user = state.users.get(username);
  if (!user) {
    state.drop('unknown-user', 'overlay datagram for an unknown username');
    return false;
  }
  if (!Number.isInteger(fromPort) || fromPort < 1 || fromPort > 0xffff) {
    state.drop('bad-port', `overlay datagram from port ${fromPort}`);
    return false;
  }
  const now = state.now();
  const alloc = state.allocations.findByRelayPort(toPort, now);
  if (!alloc || alloc.user !== user) {
    state.drop('no-allocation', `overlay datagram for relayed port ${toPort} without an allocation of this user`);
    return false;
  }
  const peerIp = user.binding.peerIp;
  if (!alloc.hasPermission(peerIp, now)) {
    state.drop('no-permission', `overlay datagram from ${peerIp} without a permission`);
    return false;
  }
  if (data.length > user.binding.maxPayload || data.length > 0xffff - DATA_INDICATION_OVERHEAD) {
    oversize(state, alloc, data.length, 'towards the client');
    return false;
  }
  // RFC 5766 §11.7 "Relaying Data from the Peer": over a bound channel the data goes as
  // ChannelData (unpadded: over UDP "the padding is not required", §11.5).
  const ch = alloc.channelForPeer(peerIp, fromPort, now);
  let out: Buffer;
  if (!ch) out = encodeDataIndication(user.peerIpBytes, fromPort, data);
  else if (headroom >= CHANNEL_DATA_HEADER && data.byteOffset >= CHANNEL_DATA_HEADER) {
    out = Buffer.from(data.buffer, data.byteOffset - CHANNEL_DATA_HEADER, CHANNEL_DATA_HEADER + data.length);
    writeChannelDataHeader(out, 0, ch.number, data.length);
  } else out = encodeChannelData(ch.number, data);
  state.sendTo(out, alloc.client);
  state.counters.relayedToClient++;
  return true;
}
