// The name-resolution surface for the extension, the node and its CLI.
export * from './types';
export { ResolveError } from './errors';
export { parseName, cacheKey, MAX_LABEL_LENGTH } from './name';
export { NODE_ID_RECORD_KEY, STAEX_ID_RECORD_KEY, MAX_RECORD_LENGTH, nodeIdFromRecord } from './record';
export { DEFAULT_ENDPOINTS, DEFAULT_REGISTRY, DEFAULT_ROUTER, type RegistryChoice } from './chains';
export { MemoryResolutionCache } from './memory-cache';
export { checkedEntry } from './cache-entry';
export { NameResolver, type NameResolverOptions, DEFAULT_TTL_MS, DEFAULT_CONNECT_TIMEOUT_MS, DEFAULT_IDLE_CLOSE_MS } from './resolver';
