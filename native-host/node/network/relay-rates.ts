// What a blind relay promises to carry, and what a node sends through one: the one contract
// between relay-meter.ts (which cuts a pair that goes on exceeding its budget) and the nodes
// that pace what they send through a relay (sites; calls stay far below it).
//
// A relay meters each direction of a pair on its own: bytes from one end of the pair, as udx
// counts them on the relay's stream for that end (every UDX packet whole, header included,
// acknowledgements and retransmissions too). So a download and an upload over the same pair
// do not halve each other, and the acknowledgements of a download count against the other
// direction, where they are a few percent of what they acknowledge.

// Every relay carries at least this many bytes per second in each direction of a pair, and
// cuts a pair only after it has gone over its budget by more than RELAY_BURST_SECONDS of it.
// A relay run with a lower per-pair limit breaks this promise (its CLI says so).
export const RELAY_PAIR_RATE_FLOOR = 2_000_000;

// How many seconds of its rate a direction may overdraw at once (a video keyframe burst, a
// sample that arrives late on a busy machine) before its pair is cut.
export const RELAY_BURST_SECONDS = 2;

// Bytes per second of payload a node writes, per connection, into a relayed connection that
// carries bulk data (a site's downloads and uploads). Three quarters of the floor: the rest
// covers what the relay counts on top of the payload, that is secret-stream headers and
// Protomux framing (under 1 % for 32 KiB messages), UDX packet headers (20 bytes in about
// 1,200, under 2 %), and retransmissions after loss (the rest: a path losing a fifth of its
// packets still stays under the floor).
export const RELAYED_BULK_RATE = Math.floor(RELAY_PAIR_RATE_FLOOR * 0.75);

// How much a paced sender may send at once after being idle: small next to what the relay
// forgives (RELAY_BURST_SECONDS of the floor), large enough that a page of a site goes out
// without waiting.
export const RELAYED_BULK_BURST = 256 * 1024;
