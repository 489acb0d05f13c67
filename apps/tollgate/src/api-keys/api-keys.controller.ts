import { Body, Controller, Delete, Get, HttpCode, NotFoundException, Param, Post, Req } from '@nestjs/common';
import { ApiBody, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiProperty, ApiPropertyOptional, ApiSchema, ApiTags } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsIn, IsOptional, IsString, IsUUID, Matches, MaxLength, MinLength } from 'class-validator';
import { ApiKeyService, ROLES, RequireRoles, RequireUnscopedKey, type AuthenticatedRequest, type Role } from '@tollgate/auth';
import { uuidParam } from '../common/uuid.pipe';
import { ApiUuidParam } from '../common/api-docs';
import { ApiErrors } from '../common/api-errors';
import { ApiKeyCreated, ApiKeyList } from './api-keys.response';

@ApiSchema({ description: 'A new API key. Unknown fields are rejected.' })
export class CreateApiKeyDto {
  @ApiProperty({ description: 'Name of the key; audit entries and exceptions show it.', minLength: 1, maxLength: 100, example: 'dashboards' })
  @IsString() @MinLength(1) @MaxLength(100)
  name: string;

  @ApiProperty({
    description:
      'The person or service the key belongs to: a stable id such as `alice@example.com` or `svc:siem-export`. ' +
      'Four-eyes rules compare principals: two keys of one principal count as one person.',
    minLength: 1,
    maxLength: 200,
    example: 'alice@example.com',
  })
  @IsString() @MinLength(1) @MaxLength(200) @Matches(/^\S(.*\S)?$/, { message: 'principal must not start or end with white space' })
  principal: string;

  @ApiProperty({ description: 'Role of the key: what it may do.', enum: ROLES, example: 'viewer' })
  @IsIn(ROLES)
  role: Role;

  /** Limits the key to these connections; others answer 404 as if they did not exist. */
  @ApiPropertyOptional({
    description: 'Limits the key to these connections; others answer 404 as if they did not exist. Absent: all connections.',
    type: [String],
    format: 'uuid',
    maxItems: 1000,
  })
  @IsOptional() @IsArray() @ArrayMaxSize(1000) @IsUUID('4', { each: true })
  connectionIds?: string[];
}

/**
 * API keys: admins with a key for all connections only. A scoped admin could otherwise mint an
 * unscoped key, or revoke the keys of the admins above it. The key itself is in the creation answer
 * and nowhere else, ever.
 */
@ApiTags('api-keys')
@Controller('api-keys')
@RequireRoles()
@RequireUnscopedKey()
export class ApiKeysController {
  constructor(private readonly keys: ApiKeyService) {}

  @Post()
  @ApiOperation({ summary: 'Create an API key', description: 'The key itself is in this answer and nowhere else, ever. Roles: admin, with a key for all connections.' })
  @ApiBody({ type: CreateApiKeyDto })
  @ApiCreatedResponse({ description: 'The new key with its secret.', type: ApiKeyCreated })
  @ApiErrors(400, 401, 403, 413, 415, 429)
  async create(@Body() dto: CreateApiKeyDto, @Req() req: AuthenticatedRequest) {
    const created = await this.keys.create({ ...dto, createdBy: req.principal!.name });
    return { ...(await this.keys.get(created.id)), key: created.key };
  }

  @Get()
  @ApiOperation({ summary: 'List API keys', description: 'Every key, revoked ones too, without secrets. Roles: admin, with a key for all connections.' })
  @ApiOkResponse({ description: 'The keys.', type: ApiKeyList })
  @ApiErrors(401, 403, 429)
  list() {
    return this.keys.list().then((items) => ({ items }));
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Revoke an API key', description: 'At once: the next request with the key gets 401. Revoking a revoked key is a no-op. Roles: admin, with a key for all connections.' })
  @ApiUuidParam('API key id.')
  @ApiNoContentResponse({ description: 'Revoked.' })
  @ApiErrors([400, 'The id is not a UUID.'], 401, 403, [404, 'No API key has this id.'], 429)
  async revoke(@Param('id', uuidParam()) id: string): Promise<void> {
    if (!(await this.keys.revoke(id))) throw new NotFoundException(`API key ${id} does not exist`);
  }
}
