// Media bursts (a video keyframe is dozens of datagrams at once) must not overflow the kernel's
// default UDP buffers (~200 KB) while the event loop is busy or the process waits for a CPU on a
// loaded machine: every UDP socket media crosses (the TURN socket facing the browser, the DHT's
// sockets, the Staex socket) gets this headroom.
const SOCKET_BUFFER_BYTES = 4 * 1024 * 1024;

export interface SizableSocket {
  setRecvBufferSize?(size: number): unknown;
  setSendBufferSize?(size: number): unknown;
}

// Best effort: a socket not bound yet, or an OS that caps or refuses the size, keeps its
// defaults, which still work with less headroom.
export function enlargeBuffers(socket: SizableSocket | null | undefined): void {
  try {
    socket?.setRecvBufferSize?.(SOCKET_BUFFER_BYTES);
    socket?.setSendBufferSize?.(SOCKET_BUFFER_BYTES);
  } catch {
    // Kept at the defaults (see above).
  }
}
