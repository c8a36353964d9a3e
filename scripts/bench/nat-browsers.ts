import type { CallInfo, NodeStatus } from '../../lib/protocol/native';
import { type Side, allowDirectWith, sideFor } from '../../testkit/call-flow';
import { chromiumIn } from '../../testkit/netns/chromium';
import type { LabNode } from '../../testkit/netns/lab-node';
import type { NodeMode } from '../../testkit/netns/node-mode';
import { NAT_KINDS, type NatKind } from '../../testkit/netns/router';
import { cliOutput } from '../../testkit/processes';
import { timeOneCall } from './call-setup';
import { type Cleanup, progress } from './cleanup';

// The NAT part's Chromium calls: one browser in front of each lab node (launched in the node's
// namespace), and one timed call per ordered pair of NAT kinds — Call → ring in the callee's
// tab, Call → first remote video frame at the caller, Answer → frames on both sides — with the
// path the call took. Between contacts allowed directly, each person first saves the other
// side's three people as contacts and turns the setting on, in the popup and the options page.

export type BrowserPairResult =
  | {
      caller: NatKind;
      callee: NatKind;
      ok: true;
      ringMs: number;
      callToCallerFrameMs: number;
      answerToBothFramesMs: number;
      path: 'direct' | 'relayed' | 'unknown';
    }
  | { caller: NatKind; callee: NatKind; ok: false; failure: string };

export async function benchBrowserPairs(
  cleanup: Cleanup,
  o: { root: string; bootstrap: string; mode: NodeMode; callers: Map<NatKind, LabNode>; callees: Map<NatKind, LabNode> },
): Promise<BrowserPairResult[]> {
  const sides = new Map<LabNode, Side>();
  const close = cleanup.defer(`the ${o.mode} lab browsers`, async () => {
    for (const side of sides.values()) await side.person.close();
  });
  for (const node of [...o.callers.values(), ...o.callees.values()]) {
    const executablePath = await chromiumIn(node.host.ns, o.root);
    const side = await sideFor({
      root: o.root,
      name: `${node.name}-browser`,
      bootstrap: o.bootstrap,
      node: node.proc,
      nodeId: node.nodeId,
      profile: node.profile,
      executablePath,
    });
    sides.set(node, side);
  }
  if (o.mode === 'contacts-direct') {
    const contacts = (group: Map<NatKind, LabNode>) => [...group].map(([kind, n]) => ({ nickname: `${kind} ${n.name}`, nodeId: n.nodeId }));
    for (const n of o.callers.values()) await allowDirectWith(sides.get(n)!, contacts(o.callees));
    for (const n of o.callees.values()) await allowDirectWith(sides.get(n)!, contacts(o.callers));
  }
  const results: BrowserPairResult[] = [];
  for (const caller of NAT_KINDS) {
    for (const callee of NAT_KINDS) {
      const from = sides.get(o.callers.get(caller)!)!;
      const to = sides.get(o.callees.get(callee)!)!;
      try {
        const t = await timeOneCall(from, to);
        results.push({
          caller,
          callee,
          ok: true,
          ringMs: t.ringMs,
          callToCallerFrameMs: t.callToCallerFrameMs,
          answerToBothFramesMs: t.answerToBothFramesMs,
          path: pathOf(await lastCall(from)),
        });
      } catch (err) {
        results.push({ caller, callee, ok: false, failure: (err as Error).message.split('\n')[0]! });
      }
      const r = results.at(-1)!;
      progress(
        `NAT lab, ${o.mode}, Chromium: ${caller} → ${callee}: ${r.ok ? `ring ${r.ringMs} ms, first frame ${r.callToCallerFrameMs} ms, ${r.path}` : r.failure}`,
      );
    }
  }
  await close();
  return results;
}

// The caller node's most recent call (ended by now: closing the tabs hung it up).
async function lastCall(side: Side): Promise<CallInfo | null> {
  const status = JSON.parse((await cliOutput(['status', '--profile', side.profile])).stdout) as NodeStatus;
  return status.calls.reduce<CallInfo | null>((last, c) => (last === null || c.createdAt > last.createdAt ? c : last), null);
}

function pathOf(call: CallInfo | null): 'direct' | 'relayed' | 'unknown' {
  if (!call?.route) return 'unknown';
  return call.route.relay === null ? 'direct' : 'relayed';
}
