import { BadRequestException, ParseUUIDPipe } from '@nestjs/common';

/** Path ids are v4 UUIDs; anything else is a 400 that says so plainly. */
export const uuidParam = (name = 'id') =>
  new ParseUUIDPipe({ version: '4', exceptionFactory: () => new BadRequestException(`${name} must be a UUID`) });
