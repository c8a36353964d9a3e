// Publishing one's own node id into one's AZERO.ID name, with the user's own wallet.
// Browser-safe (bundled for the 127.0.0.1 page the local node serves) and usable in Node.
export { PublishError, type PublishErrorCode } from './errors';
export { openChain, findRegistry, type ChainHandle, type RegistryRef, DEFAULT_CONNECT_TIMEOUT_MS } from './chain';
export { listDomains, checkDomain, type Domain, type DomainRole } from './domains';
export { planPublish, type PublishPlan, type PlanOptions, type RecordChange, type Amount, type Weight } from './plan';
export { submitPublish, type SubmitStatus, type SubmitStage, type SubmitResult, type SubmitOptions, DEFAULT_INCLUSION_TIMEOUT_MS } from './submit';
export { readBack, confirmPublished, type ConfirmOptions } from './confirm';
export { formatAmount, type Token } from './amount';
export { NODE_ID_RECORD_KEY } from '../names/record';
