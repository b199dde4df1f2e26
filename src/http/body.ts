import express, { ErrorRequestHandler, RequestHandler } from 'express';
import { ProblemException } from './problem.filter';

/** Request bodies are commands, never uploads: anything larger is refused with 413. */
export const MAX_BODY_BYTES = 256 * 1024;

const PROBLEMS: Record<string, { slug: string; title: string; status: number }> = {
  'entity.parse.failed': { slug: 'malformed-json', title: 'The request body is not valid JSON', status: 400 },
  'entity.too.large': { slug: 'payload-too-large', title: 'The request body is too large', status: 413 },
  'encoding.unsupported': {
    slug: 'unsupported-encoding',
    title: 'The request body encoding is not supported',
    status: 415,
  },
  'charset.unsupported': {
    slug: 'unsupported-charset',
    title: 'The request body charset is not supported',
    status: 415,
  },
};

/**
 * The JSON body parser plus a mapper of its failures to problem details. Mapping here, where
 * the parser's error `type` is still known, keeps the precise reason (Nest would otherwise
 * collapse them into a generic 400).
 */
export function jsonBody(): [RequestHandler, ErrorRequestHandler] {
  const parser = express.json({
    limit: MAX_BODY_BYTES,
    strict: true,
    type: ['application/json', 'application/*+json'],
  });
  const mapper: ErrorRequestHandler = (err: { type?: string; message?: string }, _req, _res, next) => {
    const known = err.type ? PROBLEMS[err.type] : undefined;
    if (!known) return next(err);
    const detail =
      err.type === 'entity.too.large'
        ? `the body exceeds the limit of ${MAX_BODY_BYTES} bytes`
        : (err.message ?? known.title);
    next(
      new ProblemException({
        type: known.slug,
        title: known.title,
        status: known.status,
        detail,
        errors: [{ field: 'body', reason: detail }],
      }),
    );
  };
  return [parser, mapper];
}
