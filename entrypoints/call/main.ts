import { mount } from 'svelte';
import type { CallInfo } from '../../lib/protocol/native';
import { callState } from '../../lib/state/call.svelte';
import App from './App.svelte';
import './call.css';

declare global {
  // For diagnostics and the project's end-to-end tests. Extension pages are private to
  // the extension, so websites never see this.
  var copybaraDebug: { pc(): RTCPeerConnection | null; call(): CallInfo | null };
}

globalThis.copybaraDebug = { pc: () => callState.pc(), call: () => callState.call };

callState.start(new URLSearchParams(location.search).get('call'));
mount(App, { target: document.getElementById('app')! });
