import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { Logger } from '../infrastructure/logging/logger';

/** RFC 9457 problem details; `errors` lists field-level reasons where there are any. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  errors?: { field: string; reason: string }[];
  /** Extension member (RFC 9457 §3.2) of policy denials: the decision in /v1/decisions. */
  decisionId?: string;
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';
const TYPE_BASE = 'https://sentinel.dev/problems/';

/** Errors thrown in the request pipeline that carry a problem body of their own; `type` is a slug. */
export class ProblemException extends HttpException {
  constructor(readonly problem: Problem) {
    super(problem, problem.status);
  }
}

@Catch()
export class ProblemFilter implements ExceptionFilter {
  constructor(private readonly logger: Logger) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const req = http.getRequest<Request>();
    const res = http.getResponse<Response>();
    const problem = { ...this.toProblem(exception), instance: req.originalUrl };
    if (problem.status >= 500) this.logger.error({ err: exception, path: req.originalUrl }, 'request failed');
    res.status(problem.status).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(problem));
  }

  private toProblem(exception: unknown): Problem {
    if (exception instanceof ProblemException)
      return { ...exception.problem, type: TYPE_BASE + exception.problem.type };
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const body = exception.getResponse();
      const detail =
        typeof body === 'string' ? body : ((body as { message?: unknown }).message ?? exception.message);
      const words = (HttpStatus[status] ?? 'ERROR').toLowerCase().split('_');
      return {
        type: TYPE_BASE + words.join('-'),
        title: words.join(' ').replace(/^./, (c) => c.toUpperCase()),
        status,
        detail: Array.isArray(detail) ? detail.join('; ') : String(detail),
      };
    }
    return {
      type: TYPE_BASE + 'internal-error',
      title: 'Internal error',
      status: 500,
      detail: 'The request failed unexpectedly; the error is logged with this request id.',
    };
  }
}
