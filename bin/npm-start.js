#!/usr/bin/env node
'use strict';
// What `npm start` runs: the build (timed, as the first phase of start-up), then the stack
// (dist/bin/start.js). Plain JavaScript because it runs before anything is compiled.
const { spawn } = require('node:child_process');
const { join } = require('node:path');

const startedAt = Date.now();
// npm sets npm_execpath to its own CLI; outside npm, `npm` from the PATH.
const [command, args] = process.env.npm_execpath
  ? [process.execPath, [process.env.npm_execpath, 'run', '--silent', 'build']]
  : ['npm', ['run', '--silent', 'build']];
process.stdout.write('Building (tsc)…\n');
const build = spawn(command, args, { stdio: 'inherit', cwd: join(__dirname, '..') });

// Nothing but the build runs yet: a stop signal stops it and ends here, nothing else to stop.
let stoppedBy;
const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'];
const onSignal = (signal) => {
  if (stoppedBy) return;
  stoppedBy = signal;
  build.kill(signal);
};
for (const signal of signals) process.on(signal, onSignal);

build.once('error', (error) => {
  process.stderr.write(`governor: could not run the build: ${error.message}\n`);
  process.exit(1);
});
build.once('exit', (code, signal) => {
  for (const s of signals) process.removeListener(s, onSignal);
  if (stoppedBy) {
    process.stdout.write(`\n${stoppedBy}: stopped during the build; nothing else was started.\n`);
    process.exit(128 + require('node:os').constants.signals[stoppedBy]);
  }
  if (code !== 0) {
    process.stderr.write(`governor: the build failed (${signal ?? `exit code ${code}`}); nothing was started\n`);
    process.exit(code || 1);
  }
  // main() installs its own stop handlers before it starts any child.
  require(join(__dirname, '..', 'dist', 'bin', 'start.js')).main({ startedAt, buildMilliseconds: Date.now() - startedAt });
});
