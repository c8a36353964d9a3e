import { mount } from 'svelte';
import type { CallInfo } from '../../lib/protocol/native';
import { callState } from '../../lib/state/call.svelte';
import { linkPage } from '../../lib/state/link-page.svelte';
import App from './App.svelte';
import './call.css';

declare global {
  // For diagnostics and the project's end-to-end tests. Extension pages are private to
  // the extension, so websites never see this.
  var copybaraDebug: { pc(): RTCPeerConnection | null; call(): CallInfo | null; mode(): string | null };
}

globalThis.copybaraDebug = { pc: () => callState.pc(), call: () => callState.call, mode: () => linkPage.mode };

const params = new URLSearchParams(location.search);
const link = params.get('link');
const preview = params.get('preview');
if (link !== null) {
  // Our call link is out: when it is answered this tab becomes the call.
  const expires = Number(params.get('expires'));
  linkPage.startWaiting(link, Number.isSafeInteger(expires) && expires > 0 ? expires : null, (callId) => {
    history.replaceState(null, '', `?call=${callId}`);
    callState.start(callId);
  });
} else if (preview !== null) {
  void linkPage.startPreview(preview);
} else {
  callState.start(params.get('call'));
}
mount(App, { target: document.getElementById('app')! });
