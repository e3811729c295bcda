'use strict';
/**
 * Test preload: refuses every connection that is not to loopback, so a forgotten emulator option
 * fails loudly instead of reaching for Google. Loaded by jest (setupFiles) and by every function
 * process the tests start (`node --require`).
 */
const net = require('node:net');
const dns = require('node:dns');

const LOOPBACK_NAMES = new Set(['localhost', 'ip6-localhost', 'ip6-loopback']);

function isLoopback(host) {
  if (host === undefined || host === null || host === '') return true; // Node defaults to localhost
  const h = String(host).replace(/^\[|\]$/g, '').toLowerCase();
  if (LOOPBACK_NAMES.has(h) || h.endsWith('.localhost')) return true;
  if (net.isIPv4(h)) return h.startsWith('127.');
  if (net.isIPv6(h)) return h === '::1' || h.startsWith('::ffff:127.');
  return false;
}

class NonLoopbackConnectionError extends Error {
  constructor(target) {
    super(`test preload refused a non-loopback connection to ${target}`);
    this.name = 'NonLoopbackConnectionError';
    this.code = 'ENONLOOPBACK';
  }
}

const originalConnect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function guardedConnect(...args) {
  const first = args[0];
  const options = Array.isArray(first) ? first[0] : first;
  let host;
  let path;
  if (options !== null && typeof options === 'object') {
    host = options.host;
    path = options.path;
  } else if (typeof first === 'string' && !/^\d+$/.test(first)) {
    path = first; // unix socket
  } else {
    host = typeof args[1] === 'string' ? args[1] : undefined;
  }
  if (path === undefined && !isLoopback(host)) {
    const error = new NonLoopbackConnectionError(host);
    process.nextTick(() => this.destroy(error));
    return this;
  }
  return originalConnect.apply(this, args);
};

function guardLookup(original) {
  return function guardedLookup(hostname, options, callback) {
    const cb = typeof options === 'function' ? options : callback;
    if (!isLoopback(hostname) && !net.isIP(hostname)) {
      const error = new NonLoopbackConnectionError(hostname);
      process.nextTick(() => cb(error));
      return undefined;
    }
    return original.call(this, hostname, options, callback);
  };
}
dns.lookup = guardLookup(dns.lookup);
const originalPromisesLookup = dns.promises.lookup;
dns.promises.lookup = async function guardedPromisesLookup(hostname, options) {
  if (!isLoopback(hostname) && !net.isIP(hostname)) throw new NonLoopbackConnectionError(hostname);
  return originalPromisesLookup.call(this, hostname, options);
};

module.exports = { isLoopback, NonLoopbackConnectionError };
