import { handleAllocate } from './allocate';
import { desiredLifetime } from './allocation';
import { authenticate } from './auth';
import { isStunError } from './errors';
import { handleChannelBind, handleCreatePermission } from './permissions';
import { relaySendIndication } from './relay';
import { successReply } from './respond';
import { readLifetime, readRequestedAddressFamily } from './stun/attributes';
import { ATTR, CLASS, FAMILY_IPV4, METHOD, unknownRequired } from './stun/constants';
import type { StunMessage } from './stun/message';
import { methodName, type TurnState } from './state';
import type { ClientAddress } from './types';
import type { TurnUser } from './user';

// Dispatch of decoded STUN messages on class and method, plus the small handlers (Binding,
// Refresh). Allocate, CreatePermission/ChannelBind and the relay live in their own files.

export function handleStun(state: TurnState, msg: StunMessage, client: ClientAddress): void {
  switch (msg.cls) {
    case CLASS.REQUEST:
      handleRequest(state, msg, client);
      return;
    case CLASS.INDICATION:
      if (msg.method === METHOD.SEND) relaySendIndication(state, msg, client);
      else state.drop('indication', `${methodName(msg.method)} indication from a client`);
      return;
    default:
      // We never send requests, so no response can be for us.
      state.drop('response', `unsolicited response from ${client.address}:${client.port}`);
  }
}

function handleRequest(state: TurnState, msg: StunMessage, client: ClientAddress): void {
  if (msg.method === METHOD.BINDING) {
    handleBinding(state, msg, client);
    return;
  }
  const turnMethod =
    msg.method === METHOD.ALLOCATE ||
    msg.method === METHOD.REFRESH ||
    msg.method === METHOD.CREATE_PERMISSION ||
    msg.method === METHOD.CHANNEL_BIND;
  if (!turnMethod) {
    state.rejectUnauthenticated(msg, client, 400, `unsupported ${methodName(msg.method)} request`);
    return;
  }
  const user = authenticate(state, msg, client);
  if (!user) return;
  // RFC 5389 §7.3: "Once the authentication checks are done, the STUN agent MUST check for
  // unknown attributes"; §7.3.1: "If the request contains one or more unknown
  // comprehension-required attributes, the server replies with an error response with an
  // error code of 420 (Unknown Attribute), and includes an UNKNOWN-ATTRIBUTES attribute".
  const unknown = unknownRequired(msg.attributeTypes());
  if (unknown.length > 0) {
    state.reject(msg, client, 420, 'unknown comprehension-required attributes', {
      key: user.key,
      unknownAttributes: unknown,
    });
    return;
  }
  try {
    switch (msg.method) {
      case METHOD.ALLOCATE:
        handleAllocate(state, msg, client, user);
        return;
      case METHOD.REFRESH:
        handleRefresh(state, msg, client, user);
        return;
      case METHOD.CREATE_PERMISSION:
        handleCreatePermission(state, msg, client, user);
        return;
      default:
        handleChannelBind(state, msg, client, user);
    }
  } catch (err) {
    // A known attribute with a malformed value: RFC 5766 answers each such case with 400.
    if (!isStunError(err)) throw err;
    state.reject(msg, client, 400, err.message, { key: user.key });
  }
}

/**
 * RFC 5389 §7.3.1: "For the Binding method, no additional checking is required unless the
 * usage specifies otherwise. When forming the success response, the server adds a
 * XOR-MAPPED-ADDRESS attribute to the response, where the contents of the attribute are
 * the source transport address of the request message." Our usage does specify otherwise:
 * a Binding answer tells any page or local process that a Copybara node listens here, and
 * nothing of ours needs it (relay-only ICE gathers no server-reflexive candidate), so it is
 * answered only on a 5-tuple that holds an allocation, which took the call's credential.
 */
function handleBinding(state: TurnState, msg: StunMessage, client: ClientAddress): void {
  if (!state.allocations.find(client.address, client.port, state.now())) {
    state.drop('binding', `Binding from ${client.address}:${client.port}, which holds no allocation`);
    return;
  }
  const unknown = unknownRequired(msg.attributeTypes());
  if (unknown.length > 0) {
    state.reject(msg, client, 420, 'unknown comprehension-required attributes', { unknownAttributes: unknown });
    return;
  }
  state.sendTo(
    successReply(msg, undefined, (w) => w.addXorAddress(ATTR.XOR_MAPPED_ADDRESS, client)),
    client,
  );
}

/** RFC 5766 §7.2 Receiving a Refresh Request. */
function handleRefresh(state: TurnState, msg: StunMessage, client: ClientAddress, user: TurnUser): void {
  const alloc = state.requireAllocation(msg, client, user);
  if (!alloc) return;
  const lifetimeAttr = msg.get(ATTR.LIFETIME);
  const requested = lifetimeAttr ? readLifetime(lifetimeAttr) : undefined;
  // "If the "desired lifetime" is 0, then the request succeeds and the allocation is
  // deleted."
  if (requested === 0) {
    state.allocations.remove(alloc);
    state.sendTo(
      successReply(msg, user.key, (w) => w.addU32(ATTR.LIFETIME, 0)),
      client,
    );
    return;
  }
  // RFC 6156 §5.2: a REQUESTED-ADDRESS-FAMILY that does not match the allocation's family
  // gets 443 (Peer Address Family Mismatch). Ours are all IPv4.
  const family = msg.get(ATTR.REQUESTED_ADDRESS_FAMILY);
  if (family && readRequestedAddressFamily(family) !== FAMILY_IPV4) {
    state.reject(msg, client, 443, 'allocation is IPv4', { key: user.key });
    return;
  }
  // "If the "desired lifetime" is non-zero, then the request succeeds and the allocation's
  // time-to-expiry is set to the "desired lifetime"."
  const lifetime = desiredLifetime(requested);
  alloc.expiresAt = state.now() + lifetime * 1000;
  state.sendTo(
    successReply(msg, user.key, (w) => w.addU32(ATTR.LIFETIME, lifetime)),
    client,
  );
}
