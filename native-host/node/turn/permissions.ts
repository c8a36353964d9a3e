import { readChannelNumber } from './stun/attributes';
import { ATTR } from './stun/constants';
import type { StunMessage } from './stun/message';
import { decodeXorAddress } from './stun/xor-address';
import { successReply } from './respond';
import type { TurnState } from './state';
import { isChannelNumber } from './wire/channel-data';
import type { ClientAddress } from './types';
import type { TurnUser } from './user';

// CreatePermission (RFC 5766 §9.2) and ChannelBind (RFC 5766 §11.2). Both are where this
// server's one policy applies: a credential may only reach binding.peerIp, the other
// party's virtual relayed address.

/** RFC 5766 §9.2 Receiving a CreatePermission Request. */
export function handleCreatePermission(state: TurnState, msg: StunMessage, client: ClientAddress, user: TurnUser): void {
  const alloc = state.requireAllocation(msg, client, user);
  if (!alloc) return;
  const key = user.key;
  // "The CreatePermission request MUST contain at least one XOR-PEER-ADDRESS attribute and
  // MAY contain multiple such attributes. If no such attribute exists, or if any of these
  // attributes are invalid, then a 400 (Bad Request) error is returned."
  const values = msg.getAll(ATTR.XOR_PEER_ADDRESS);
  if (values.length === 0) {
    state.reject(msg, client, 400, 'no XOR-PEER-ADDRESS', { key });
    return;
  }
  const peers = values.map((v) => decodeXorAddress(v, msg.transactionId));
  for (const peer of peers) {
    // RFC 6156 §6.2: a peer of another family than the relayed address gets 443 (Peer
    // Address Family Mismatch).
    if (peer.family !== 4) {
      state.reject(msg, client, 443, 'relayed address is IPv4', { key });
      return;
    }
    // "The server MAY impose restrictions on the IP address allowed in the
    // XOR-PEER-ADDRESS attribute -- if a value is not allowed, the server rejects the
    // request with a 403 (Forbidden) error." Checked for all before installing any, so a
    // rejected request changes nothing.
    if (peer.address !== user.binding.peerIp) {
      state.reject(msg, client, 403, `peer ${peer.address} is not this call's peer`, { key });
      return;
    }
  }
  // "the server installs or refreshes a permission for the IP address contained in each
  // XOR-PEER-ADDRESS attribute ... The port portion of each attribute is ignored".
  const now = state.now();
  for (const peer of peers) alloc.installPermission(peer.address, now);
  state.sendTo(successReply(msg, key), client);
}

/** RFC 5766 §11.2 Receiving a ChannelBind Request. */
export function handleChannelBind(state: TurnState, msg: StunMessage, client: ClientAddress, user: TurnUser): void {
  const alloc = state.requireAllocation(msg, client, user);
  if (!alloc) return;
  const key = user.key;
  // "The server checks the following: The request contains both a CHANNEL-NUMBER and an
  // XOR-PEER-ADDRESS attribute; The channel number is in the range 0x4000 through 0x7FFE
  // (inclusive); The channel number is not currently bound to a different transport
  // address (same transport address is OK); The transport address is not currently bound
  // to a different channel number. If any of these tests fail, the server replies with a
  // 400 (Bad Request) error." (The range ends at 0x7FFF per RFC 5766 §11, which we follow.)
  const channelAttr = msg.get(ATTR.CHANNEL_NUMBER);
  const peerAttr = msg.get(ATTR.XOR_PEER_ADDRESS);
  if (!channelAttr || !peerAttr) {
    state.reject(msg, client, 400, 'ChannelBind needs CHANNEL-NUMBER and XOR-PEER-ADDRESS', { key });
    return;
  }
  const channel = readChannelNumber(channelAttr);
  if (!isChannelNumber(channel)) {
    state.reject(msg, client, 400, `channel 0x${channel.toString(16)} out of range`, { key });
    return;
  }
  const peer = decodeXorAddress(peerAttr, msg.transactionId);
  if (peer.family !== 4) {
    state.reject(msg, client, 443, 'relayed address is IPv4', { key });
    return;
  }
  if (peer.port === 0) {
    state.reject(msg, client, 400, 'peer port 0', { key });
    return;
  }
  if (peer.address !== user.binding.peerIp) {
    state.reject(msg, client, 403, `peer ${peer.address} is not this call's peer`, { key });
    return;
  }
  const now = state.now();
  if (!alloc.bindChannel(channel, peer.address, peer.port, now)) {
    state.reject(msg, client, 400, 'channel or peer already bound differently', { key });
    return;
  }
  // "The server also installs or refreshes a permission for the IP address in the
  // XOR-PEER-ADDRESS attribute as described in Section 8."
  alloc.installPermission(peer.address, now);
  state.sendTo(successReply(msg, key), client);
}
