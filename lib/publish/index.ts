// Publishing one's own node id into one's AZERO.ID name, with the user's own wallet.
// Browser-safe (bundled for the 127.0.0.1 page the local node serves) and usable in Node.
export { PublishError } from './errors';
export { openChain, findRegistry, type ChainHandle, type RegistryRef } from './chain';
export { listDomains, checkDomain, type Domain } from './domains';
export { planPublish, type PublishPlan } from './plan';
export { submitPublish, type SubmitStatus } from './submit';
export { readBack, confirmPublished } from './confirm';
export { NODE_ID_RECORD_KEY } from '../names/record';
