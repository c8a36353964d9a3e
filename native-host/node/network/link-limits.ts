// What one remote peer may make the node do on one overlay connection. A peer over any of
// these is misbehaving (or broken beyond holding a call), and its link is closed: the node's
// one thread also relays the media of the call in progress, so no peer may keep it busy.
export interface LinkLimits {
  // Malformed or unknown messages tolerated over the link's life. An honest peer of a newer
  // version may send the odd message type we do not know; a call is a few dozen messages in
  // all, so a peer we could not understand 8 times cannot hold a call with us anyway, and
  // closing then caps what each connection costs in errors and log lines.
  maxBadFrames: number;
  // Messages per second, and the burst: pings come once a second, ICE candidates in bursts
  // of tens when a call starts; 200 at once and 50/s after that is several times either.
  messagesPerSecond: number;
  messageBurst: number;
  // Bytes per second, and the burst: an offer or answer is a few KiB, and everything a
  // call sends is under 100 KiB; what gets through is forwarded to the browser.
  bytesPerSecond: number;
  byteBurst: number;
  // Bytes we may queue for a peer that does not take them (write() said to wait): pongs are
  // not sent while the queue is over the stream's mark, and past this the link is closed.
  maxBacklog: number;
  // How long the queue may stay over the stream's mark before the link is closed. A working
  // connection drains a few KiB of signalling in a few round trips.
  drainTimeoutMs: number;
}

export const DEFAULT_LINK_LIMITS: LinkLimits = {
  maxBadFrames: 8,
  messagesPerSecond: 50,
  messageBurst: 200,
  bytesPerSecond: 64 * 1024,
  byteBurst: 512 * 1024,
  maxBacklog: 1024 * 1024,
  drainTimeoutMs: 10_000,
};

// Lines a peer's misbehaviour may add to the node's log: per link, and for all links
// together (a peer can open many connections).
export const LINK_LOG = { perSecond: 1, burst: 12 } as const;
export const ALL_LINKS_LOG = { perSecond: 5, burst: 50 } as const;
