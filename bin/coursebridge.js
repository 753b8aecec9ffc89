#!/usr/bin/env node
// Checks the Node version first (a static import runs before this module's own code).
import './check-node.js';

await import('../src/cli/main.ts');
