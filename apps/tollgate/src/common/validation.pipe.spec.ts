import type { BadRequestException } from '@nestjs/common';
import { CreateConnectionDto } from '../connections/dto/connection.dto';
import { FieldOrderValidationPipe } from './validation.pipe';

const refusal = async (body: object): Promise<string[]> => {
  const err = (await new FieldOrderValidationPipe().transform(body, { type: 'body', metatype: CreateConnectionDto }).catch((e: unknown) => e)) as BadRequestException;
  return (err.getResponse() as { message: string[] }).message;
};

describe('FieldOrderValidationPipe', () => {
  it('lists every problem of the body at once, in the order the fields were sent', async () => {
    expect(await refusal({ name: 42, provider: 'nope', pollIntervalSeconds: 'x', extra: 1, credentials: {} })).toEqual([
      'name must be a string',
      'provider must be one of the following values: slack, microsoft365, google-workspace',
      'pollIntervalSeconds must be an integer number',
      'property extra should not exist',
    ]);
    expect(await refusal({ extra: 1, pollIntervalSeconds: 0, provider: 'nope', name: 'ok', credentials: {} })).toEqual([
      'property extra should not exist',
      'pollIntervalSeconds must not be less than 1',
      'provider must be one of the following values: slack, microsoft365, google-workspace',
    ]);
  });

  it('puts fields missing from the body after those sent', async () => {
    expect(await refusal({ pollIntervalSeconds: 1e12, provider: 'slack' })).toEqual([
      'pollIntervalSeconds must not be greater than 86400',
      'name must be a string',
      'credentials must be an object',
    ]);
  });

  it('gives a value of the right kind its value check', async () => {
    expect(await refusal({ provider: 'slack', name: 'n', credentials: {}, declaredResidency: 'E' })).toEqual([
      'declaredResidency must be a region code such as EU or US',
    ]);
  });
});
