import { Body, Controller, Delete, Get, HttpCode, NotFoundException, Param, Post, Req } from '@nestjs/common';
import { ArrayMaxSize, IsArray, IsIn, IsOptional, IsString, IsUUID, MaxLength, MinLength } from 'class-validator';
import { ApiKeyService, ROLES, RequireRoles, type AuthenticatedRequest, type Role } from '@tollgate/auth';
import { uuidParam } from '../common/uuid.pipe';

export class CreateApiKeyDto {
  @IsString() @MinLength(1) @MaxLength(100)
  name: string;

  @IsIn(ROLES)
  role: Role;

  /** Limits the key to these connections; others answer 404 as if they did not exist. */
  @IsOptional() @IsArray() @ArrayMaxSize(1000) @IsUUID('4', { each: true })
  connectionIds?: string[];
}

/** API keys: admin only. The key itself is in the creation answer and nowhere else, ever. */
@Controller('api-keys')
@RequireRoles()
export class ApiKeysController {
  constructor(private readonly keys: ApiKeyService) {}

  @Post()
  async create(@Body() dto: CreateApiKeyDto, @Req() req: AuthenticatedRequest) {
    const created = await this.keys.create({ ...dto, createdBy: req.principal!.name });
    return { ...(await this.keys.get(created.id)), key: created.key };
  }

  @Get()
  list() {
    return this.keys.list().then((items) => ({ items }));
  }

  @Delete(':id')
  @HttpCode(204)
  async revoke(@Param('id', uuidParam()) id: string): Promise<void> {
    if (!(await this.keys.revoke(id))) throw new NotFoundException(`API key ${id} does not exist`);
  }
}
