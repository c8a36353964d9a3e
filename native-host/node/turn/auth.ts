import { isStunError } from './errors';
import { MAX_TEXT_BYTES, MAX_USERNAME_BYTES, readText } from './stun/attributes';
import { ATTR } from './stun/constants';
import { verifyIntegrity } from './stun/integrity';
import type { StunMessage } from './stun/message';
import type { TurnState } from './state';
import type { ClientAddress } from './types';
import type { TurnUser } from './user';

// RFC 5766 §4: "the server MUST demand that all requests from the client be authenticated
// using [the long-term credential mechanism]". The steps below are those of RFC 5389
// §10.2.2 "Receiving a Request", in its order. Returns the user, or null after having
// answered the request itself — within the unauthenticated answer budget, silently beyond
// it (state.mayAnswerUnauthenticated).

export function authenticate(state: TurnState, msg: StunMessage, client: ClientAddress): TurnUser | null {
  // "If the message does not contain a MESSAGE-INTEGRITY attribute, the server MUST
  // generate an error response with an error code of 401 (Unauthorized). This response
  // MUST include a REALM value ... [and] a NONCE".
  if (msg.integrityAt < 0) {
    state.challenge(msg, client);
    return null;
  }
  // "If the message contains a MESSAGE-INTEGRITY attribute, but is missing the USERNAME,
  // REALM, or NONCE attribute, the server MUST generate an error response with an error
  // code of 400 (Bad Request). This response SHOULD NOT include a USERNAME, NONCE, REALM,
  // or MESSAGE-INTEGRITY attribute."
  const usernameAttr = msg.get(ATTR.USERNAME);
  const realmAttr = msg.get(ATTR.REALM);
  const nonceAttr = msg.get(ATTR.NONCE);
  if (!usernameAttr || !realmAttr || !nonceAttr) {
    state.rejectUnauthenticated(msg, client, 400, 'MESSAGE-INTEGRITY without USERNAME, REALM and NONCE');
    return null;
  }
  let username: string;
  let realm: string;
  let nonce: string;
  try {
    username = readText(usernameAttr, MAX_USERNAME_BYTES, 'USERNAME');
    realm = readText(realmAttr, MAX_TEXT_BYTES, 'REALM');
    nonce = readText(nonceAttr, MAX_TEXT_BYTES, 'NONCE');
  } catch (err) {
    if (!isStunError(err)) throw err;
    state.rejectUnauthenticated(msg, client, 400, err.message);
    return null;
  }
  // "If the NONCE is no longer valid, the server MUST generate an error response with an
  // error code of 438 (Stale Nonce). This response MUST include NONCE and REALM attributes
  // and SHOULD NOT include the USERNAME or MESSAGE-INTEGRITY attribute."
  if (!state.nonces.isValid(nonce, client)) {
    state.rejectUnauthenticated(msg, client, 438, 'stale nonce', true);
    return null;
  }
  // "If the username in the USERNAME attribute is not valid, the server MUST generate an
  // error response with an error code of 401 (Unauthorized)." A REALM other than ours
  // cannot match any key we hold, so it is treated alike.
  const user = state.users.get(username);
  if (!user || realm !== state.realm) {
    state.rejectUnauthenticated(msg, client, 401, user ? 'wrong realm' : 'unknown username', true);
    return null;
  }
  // "Using the password associated with the username in the USERNAME attribute, compute the
  // value for the message integrity ... If the resulting value does not match the contents
  // of the MESSAGE-INTEGRITY attribute, the server MUST reject the request with an error
  // response. This response MUST use an error code of 401 (Unauthorized)."
  if (!verifyIntegrity(msg, user.key)) {
    state.rejectUnauthenticated(msg, client, 401, 'MESSAGE-INTEGRITY mismatch', true);
    return null;
  }
  return user;
}
