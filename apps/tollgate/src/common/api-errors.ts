import { applyDecorators } from '@nestjs/common';
import { ApiExtraModels, ApiProperty, ApiPropertyOptional, ApiResponse, ApiSchema } from '@nestjs/swagger';

/** The body Nest's exception layer writes for every error Tollgate answers with. */
@ApiSchema({ description: 'Every error answer: the HTTP status, its reason phrase and what went wrong.' })
export class ErrorResponse {
  @ApiProperty({ description: 'The HTTP status code, repeated in the body.', example: 400, type: 'integer' })
  statusCode: number;

  // The rate limiter answers without a reason phrase.
  @ApiPropertyOptional({ description: 'The reason phrase of the status; absent on 429.', example: 'Bad Request' })
  error?: string;

  @ApiProperty({
    description: 'What went wrong: one sentence, or one entry per invalid field when the request failed validation.',
    oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }],
    example: ['limit must not be greater than 500'],
  })
  message: string | string[];
}

export type ErrorStatus = 400 | 401 | 403 | 404 | 409 | 413 | 415 | 422 | 429 | 503;

const MEANING: Record<ErrorStatus, string> = {
  400: 'The request is invalid: a field, parameter or query value failed validation (`message` lists each problem).',
  401: 'No valid API key: the `Authorization: Bearer <key>` header is missing, malformed, unknown or revoked.',
  403: "The key's role may not do this.",
  404: 'No such resource, or it is outside the connections this key is scoped to.',
  409: 'The resource is not in a state that allows this.',
  413: 'The request body is larger than 256 kB.',
  415: 'The request body is not JSON: send `Content-Type: application/json`.',
  422: 'The content is well-formed but cannot be accepted.',
  429: 'Too many requests for this key or client address; retry after the seconds in `Retry-After`.',
  503: 'Not ready.',
};

/**
 * Documents the error answers a route can give, each with the shared {@link ErrorResponse} body. A
 * `[status, description]` pair replaces the generic wording where the route knows the precise reason.
 */
export function ApiErrors(...statuses: (ErrorStatus | [ErrorStatus, string])[]): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ApiExtraModels(ErrorResponse),
    ...statuses.map((s) => {
      const [status, description] = Array.isArray(s) ? s : [s, MEANING[s]];
      return ApiResponse({ status, description, type: ErrorResponse });
    }),
  );
}
