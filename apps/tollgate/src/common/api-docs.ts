import { applyDecorators } from '@nestjs/common';
import { ApiParam } from '@nestjs/swagger';

/**
 * Any JSON value (a setting's expected or observed value, a provider document): no fixed shape.
 * OpenAPI 3.0 only lets `nullable` widen an explicit `type`, so null is carried by the object branch
 * (JSON null is what an absent object reads as) rather than by a `nullable` beside `oneOf`, which
 * generators ignore and Redocly refuses (nullable-type-sibling).
 */
export const ANY_JSON = {
  oneOf: [{ type: 'string' }, { type: 'number' }, { type: 'boolean' }, { type: 'object', nullable: true }, { type: 'array', items: {} }],
};

/** The `:id` path parameter of a resource whose ids are v4 UUIDs (anything else is a 400). */
export const ApiUuidParam = (description: string) =>
  applyDecorators(ApiParam({ name: 'id', description, format: 'uuid', type: 'string', example: '7f3c2a9e-4b1d-4c8e-9a2f-0d5e6b7c8a91' }));
