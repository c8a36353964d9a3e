// How a node is put in each connection mode: the one place that says so. Private mode (only
// through blind relays, found on the DHT) is the node's default; `contacts-direct` is private
// mode with the peers allowed to connect directly (Settings → "Allow direct connections with
// contacts", told to the node as the browser does, see LabNode.allowDirect); `--direct` turns
// private mode off.
export type NodeMode = 'private' | 'contacts-direct' | 'direct';

export function nodeModeFlags(mode: NodeMode): string[] {
  return mode === 'direct' ? ['--direct'] : [];
}
