#!/usr/bin/env node
// The node is written in TypeScript; tsx compiles it on load (and caches the result).
import { register } from 'tsx/esm/api';

register();
await import('../cli.ts');
