#!/usr/bin/env node
// The gongzhi command. The server is TypeScript run through tsx's loader (no build step).
import { register } from 'tsx/esm/api';

register();
await import('../src/server/cli.ts');
