#!/usr/bin/env node
'use strict';
// Operator CLI entry (package.json "bin"). The TypeScript sources compile to dist/ on `npm install`.
const { join } = require('node:path');
const { existsSync } = require('node:fs');

const cli = join(__dirname, '..', 'dist', 'bin', 'cli.js');
if (!existsSync(cli)) {
  process.stderr.write('governor is not built yet: run `npm run build` in the checkout\n');
  process.exit(1);
}
require(cli);
