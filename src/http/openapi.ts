import { applyDecorators } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiHeader, ApiResponse } from '@nestjs/swagger';
import { z } from 'zod';

/**
 * OpenAPI for endpoints whose bodies are checked by zod: the document is generated from the same
 * schema that validates, so the two cannot disagree.
 */
export function ApiJsonBody(schema: z.ZodType): MethodDecorator {
  // The generator's output is plain JSON Schema for OpenAPI 3.0; swagger's type is narrower.
  const generated = z.toJSONSchema(schema, { target: 'openapi-3.0', io: 'input' });
  return ApiBody({ schema: generated as never });
}

/** The headers and answers every change endpoint shares (DESIGN.md §6). */
export function ApiChange(options: { created?: boolean; post?: boolean } = {}): MethodDecorator {
  return applyDecorators(
    ApiBearerAuth(),
    ApiHeader({ name: 'If-Match', required: false, description: 'the ETag last read; 412 if it is stale' }),
    ...(options.post
      ? [
          ApiHeader({
            name: 'Idempotency-Key',
            required: false,
            description: 'repeat-safe key, scoped to the caller',
          }),
        ]
      : []),
    ApiResponse({
      status: options.created ? 201 : 200,
      description: 'accepted; ETag carries the new version',
    }),
    ApiResponse({ status: 202, description: 'accepted, outcome pending; Location names /v1/commands/{id}' }),
    ApiResponse({ status: 400, description: 'malformed request (problem+json with field errors)' }),
    ApiResponse({ status: 401, description: 'no valid bearer token' }),
    ApiResponse({ status: 403, description: 'role not allowed' }),
    ApiResponse({ status: 412, description: 'If-Match names an old version' }),
    ApiResponse({ status: 422, description: 'rejected by the domain (problem+json with reasons)' }),
  ) as MethodDecorator;
}
