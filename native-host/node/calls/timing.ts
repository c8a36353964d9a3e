// The clock of a call, in milliseconds. Every part of the call engine reads it from here so
// that tests can shorten it as a whole.
export interface Timing {
  dialTimeout: number; // finding and connecting to the peer's node
  ringAckTimeout: number; // a connection that carries no answer to "ring" is replaced
  ringTimeout: number; // caller gives up waiting for an answer
  answerTimeout: number; // callee stops ringing (a little before the caller gives up)
  firstMessageTimeout: number; // an incoming connection must say why it came
  keepAliveInterval: number;
  peerLostAfter: number; // silence on the link after which the peer counts as gone
  // Silence after which an answered call's link counts as lost and the call reconnects: media
  // flows many times a second then, so a short silence already says the path is gone.
  activeSilenceAfter: number;
  reconnectTimeout: number; // an answered call whose link was lost gets this long to find a new one
}

export const DEFAULT_TIMING: Timing = {
  dialTimeout: 15_000,
  ringAckTimeout: 2_500,
  ringTimeout: 45_000,
  answerTimeout: 40_000,
  firstMessageTimeout: 10_000,
  keepAliveInterval: 500,
  peerLostAfter: 5_000,
  activeSilenceAfter: 1_500,
  reconnectTimeout: 10_000,
};
