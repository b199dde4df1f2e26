/**
 * Preloaded with `node -r` by kafkajs-versions: every `require('kafkajs')` in the process gets
 * the 2.2.3 release installed beside 2.2.4, so the same command path runs on either version.
 */
import Module from 'module';

type Resolve = (request: string, ...rest: unknown[]) => string;
const internals = Module as unknown as { _resolveFilename: Resolve };
const resolve = internals._resolveFilename;
internals._resolveFilename = function (this: unknown, request: string, ...rest: unknown[]) {
  return resolve.call(this, request === 'kafkajs' ? 'kafkajs-2.2.3' : request, ...rest);
};
