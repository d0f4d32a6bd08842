#!/usr/bin/env node
// The `duet` command: runs the TypeScript terminal peer through tsx (a dependency).
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
