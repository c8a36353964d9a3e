import { desiredLifetime } from './allocation';
import { successReply } from './respond';
import { readEvenPort, readLifetime, readRequestedAddressFamily, readRequestedTransport, readReservationToken } from './stun/attributes';
import { ATTR, FAMILY_IPV4, FAMILY_IPV6, TRANSPORT_UDP } from './stun/constants';
import type { StunMessage } from './stun/message';
import type { TurnState } from './state';
import type { ClientAddress } from './types';
import type { TurnUser } from './user';

// RFC 5766 §6.2 "Receiving an Allocate Request", step by step. Step 1 (authentication) has
// been done by the caller; malformed attribute values throw StunError and the caller turns
// that into a 400.

/** Chromium allocates a few times per call at most; this only stops runaway clients. */
export const MAX_ALLOCATIONS_PER_USER = 16;

export function handleAllocate(state: TurnState, msg: StunMessage, client: ClientAddress, user: TurnUser): void {
  const now = state.now();
  const key = user.key;
  // "2. The server checks if the 5-tuple is currently in use by an existing allocation. If
  // yes, the server rejects the request with a 437 (Allocation Mismatch) error."
  // Allocate is not idempotent, so a retransmission of the request that created the
  // allocation (its response was lost) must get that same success response again, not a
  // 437 (see the discussion of retransmissions in RFC 5766 §6.2 / RFC 8656 §7.2).
  const existing = state.allocations.find(client.address, client.port, now);
  if (existing) {
    if (existing.allocateResponse && existing.allocateTid?.equals(msg.transactionId)) {
      state.sendTo(existing.allocateResponse, client);
    } else {
      state.reject(msg, client, 437, '5-tuple already has an allocation', { key });
    }
    return;
  }
  // "3. The server checks if the request contains a REQUESTED-TRANSPORT attribute. If the
  // REQUESTED-TRANSPORT attribute is not included or is malformed, the server rejects the
  // request with a 400 (Bad Request) error. Otherwise, if the attribute is included but
  // specifies a protocol other that UDP, the server rejects the request with a 442
  // (Unsupported Transport Protocol) error."
  const transport = msg.get(ATTR.REQUESTED_TRANSPORT);
  if (!transport) {
    state.reject(msg, client, 400, 'no REQUESTED-TRANSPORT', { key });
    return;
  }
  if (readRequestedTransport(transport) !== TRANSPORT_UDP) {
    state.reject(msg, client, 442, 'only UDP relaying is offered', { key });
    return;
  }
  // "4. The request may contain a DONT-FRAGMENT attribute." We accept it silently: the
  // relayed "datagrams" travel inside the overlay stream and are never IP-fragmented.
  //
  // "5. The server checks if the request contains a RESERVATION-TOKEN attribute. If yes,
  // and the request also contains an EVEN-PORT attribute, then the server rejects the
  // request with a 400 (Bad Request) error. Otherwise, it checks to see if the token is
  // valid ... If the token is not valid for some reason, the server rejects the request
  // with a 508 (Insufficient Capacity) error." We never issue tokens, so none is valid.
  const token = msg.get(ATTR.RESERVATION_TOKEN);
  const evenPort = msg.get(ATTR.EVEN_PORT);
  const family = msg.get(ATTR.REQUESTED_ADDRESS_FAMILY);
  if (token && (evenPort || family)) {
    // RFC 6156 §4.2 adds: RESERVATION-TOKEN together with REQUESTED-ADDRESS-FAMILY is a 400.
    state.reject(msg, client, 400, 'RESERVATION-TOKEN with EVEN-PORT or REQUESTED-ADDRESS-FAMILY', { key });
    return;
  }
  if (token) {
    readReservationToken(token);
    state.reject(msg, client, 508, 'no reservation tokens are issued', { key });
    return;
  }
  // RFC 6156 §4.2: an unsupported family gets 440 (Address Family not Supported); values
  // other than IPv4/IPv6 are malformed (400). Relayed addresses here are IPv4 only.
  if (family) {
    const f = readRequestedAddressFamily(family);
    if (f === FAMILY_IPV6) {
      state.reject(msg, client, 440, 'relayed addresses are IPv4 only', { key });
      return;
    }
    if (f !== FAMILY_IPV4) {
      state.reject(msg, client, 400, `REQUESTED-ADDRESS-FAMILY 0x${f.toString(16)}`, { key });
      return;
    }
  }
  // "6. The server checks if the request contains an EVEN-PORT attribute. If yes, then the
  // server checks that it can satisfy the request ... If the server cannot satisfy the
  // request, then the server rejects the request with a 508 (Insufficient Capacity) error."
  // An even port is easy; reserving the next one (R bit) is not offered.
  const even = evenPort ? readEvenPort(evenPort) : null;
  if (even?.reserveNext) {
    state.reject(msg, client, 508, 'port reservation (EVEN-PORT R bit) is not offered', { key });
    return;
  }
  // "7. At any point, the server MAY choose to reject the request with a 486 (Allocation
  // Quota Reached) error if it feels the client is trying to exceed some locally defined
  // allocation quota."
  if (user.allocations.size >= MAX_ALLOCATIONS_PER_USER) state.allocations.sweep(now); // count live ones only
  if (user.allocations.size >= MAX_ALLOCATIONS_PER_USER) {
    state.reject(msg, client, 486, `${MAX_ALLOCATIONS_PER_USER} allocations already`, { key });
    return;
  }
  const lifetimeAttr = msg.get(ATTR.LIFETIME);
  const lifetime = desiredLifetime(lifetimeAttr ? readLifetime(lifetimeAttr) : undefined);
  const alloc = state.allocations.create(client, user, lifetime * 1000, now, even !== null);
  if (!alloc) {
    state.reject(msg, client, 508, 'no relayed port left', { key });
    return;
  }
  // "Once the allocation is created, the server replies with a success response. The
  // success response contains: An XOR-RELAYED-ADDRESS attribute containing the relayed
  // transport address. A LIFETIME attribute containing the current value of the
  // time-to-expiry timer. ... An XOR-MAPPED-ADDRESS attribute containing the client's IP
  // address and port (from the 5-tuple)."
  const response = successReply(msg, key, (w) => {
    w.addXorAddress(ATTR.XOR_RELAYED_ADDRESS, { family: 4, address: user.binding.relayIp, port: alloc.relayPort });
    w.addU32(ATTR.LIFETIME, lifetime);
    w.addXorAddress(ATTR.XOR_MAPPED_ADDRESS, client);
  });
  alloc.allocateTid = Buffer.from(msg.transactionId);
  alloc.allocateResponse = response;
  state.sendTo(response, client);
}
