import { ApiProperty, ApiSchema } from '@nestjs/swagger';
import { ROLES } from '@tollgate/auth';

// Shapes of what ApiKeyService returns, for the OpenAPI document only.

@ApiSchema({ description: 'An API key, without its secret.' })
export class ApiKeyView {
  @ApiProperty({ description: 'Key id.', format: 'uuid' })
  id: string;

  @ApiProperty({ description: 'Name of the key; audit entries and exceptions show it.', example: 'dashboards' })
  name: string;

  @ApiProperty({ description: 'The person or service the key belongs to; four-eyes rules compare it.', example: 'alice@example.com' })
  principal: string;

  @ApiProperty({ description: 'The non-secret part of the key, to recognise it: `tg_<prefix>_…`.', example: 'a1b2c3d4e5f6' })
  prefix: string;

  @ApiProperty({ description: 'Role of the key.', enum: ROLES })
  role: string;

  @ApiProperty({ description: 'Connections the key is limited to; null: all.', type: [String], format: 'uuid', nullable: true })
  connectionIds: string[] | null;

  @ApiProperty({ description: 'When it was created.', format: 'date-time' })
  createdAt: string;

  @ApiProperty({ description: 'Name of the key that created it.', nullable: true, type: 'string' })
  createdBy: string | null;

  @ApiProperty({ description: 'When it was last used; null if never.', format: 'date-time', nullable: true, type: 'string' })
  lastUsedAt: string | null;

  @ApiProperty({ description: 'When it was revoked; null while valid.', format: 'date-time', nullable: true, type: 'string' })
  revokedAt: string | null;
}

@ApiSchema({ description: 'A new API key, with its secret: shown in this answer and never again.' })
export class ApiKeyCreated extends ApiKeyView {
  @ApiProperty({ description: 'The key, for `Authorization: Bearer <key>`; store it now.', example: 'tg_a1b2c3d4e5f6_' + 'x'.repeat(43) })
  key: string;
}

export class ApiKeyList {
  @ApiProperty({ description: 'Every key, revoked ones too, oldest first.', type: [ApiKeyView] })
  items: ApiKeyView[];
}
