import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Req } from '@nestjs/common';
import { READERS, RequireRoles, type AuthenticatedRequest } from '@tollgate/auth';
import { ConnectionsService } from './connections.service';
import { CreateConnectionDto, UpdateConnectionDto } from './dto/connection.dto';
import { uuidParam } from '../common/uuid.pipe';

@Controller('connections')
export class ConnectionsController {
  constructor(private readonly connections: ConnectionsService) {}

  @Post()
  @RequireRoles('operator')
  create(@Body() dto: CreateConnectionDto) {
    return this.connections.create(dto);
  }

  @Get()
  @RequireRoles(...READERS)
  list(@Req() req: AuthenticatedRequest) {
    return this.connections.list(req.principal);
  }

  @Get(':id')
  @RequireRoles(...READERS)
  get(@Param('id', uuidParam()) id: string, @Req() req: AuthenticatedRequest) {
    return this.connections.get(id, req.principal);
  }

  @Patch(':id')
  @RequireRoles('operator')
  update(@Param('id', uuidParam()) id: string, @Body() dto: UpdateConnectionDto, @Req() req: AuthenticatedRequest) {
    return this.connections.update(id, dto, req.principal);
  }

  @Delete(':id')
  @HttpCode(204)
  @RequireRoles('operator')
  async remove(@Param('id', uuidParam()) id: string, @Req() req: AuthenticatedRequest): Promise<void> {
    await this.connections.remove(id, req.principal);
  }

  @Post(':id/poll')
  @HttpCode(202)
  @RequireRoles('operator')
  poll(@Param('id', uuidParam()) id: string, @Req() req: AuthenticatedRequest) {
    return this.connections.requestPoll(id, req.principal);
  }

  @Get(':id/findings')
  @RequireRoles(...READERS)
  findings(@Param('id', uuidParam()) id: string, @Req() req: AuthenticatedRequest) {
    return this.connections.findings(id, req.principal);
  }

  @Get(':id/snapshot')
  @RequireRoles(...READERS)
  snapshot(@Param('id', uuidParam()) id: string, @Req() req: AuthenticatedRequest) {
    return this.connections.snapshot(id, req.principal);
  }
}
