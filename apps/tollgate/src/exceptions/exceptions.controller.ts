import { Body, Controller, Get, HttpCode, Param, Post, Query, Req } from '@nestjs/common';
import { READERS, RequireRoles, type AuthenticatedRequest } from '@tollgate/auth';
import { uuidParam } from '../common/uuid.pipe';
import { CreateExceptionDto, DecisionDto, ListExceptionsQuery } from './dto/exception.dto';
import { ExceptionsService } from './exceptions.service';

@Controller('exceptions')
export class ExceptionsController {
  constructor(private readonly exceptions: ExceptionsService) {}

  /** Business owners ask through an operator key; approvers may ask too (but never approve their own). */
  @Post()
  @RequireRoles('operator', 'approver')
  request(@Body() dto: CreateExceptionDto, @Req() req: AuthenticatedRequest) {
    return this.exceptions.request(dto, req.principal!);
  }

  @Post(':id/approve')
  @HttpCode(200)
  @RequireRoles('approver')
  approve(@Param('id', uuidParam()) id: string, @Body() dto: DecisionDto, @Req() req: AuthenticatedRequest) {
    return this.exceptions.decide(id, 'approved', dto.reason, req.principal!);
  }

  @Post(':id/reject')
  @HttpCode(200)
  @RequireRoles('approver')
  reject(@Param('id', uuidParam()) id: string, @Body() dto: DecisionDto, @Req() req: AuthenticatedRequest) {
    return this.exceptions.decide(id, 'rejected', dto.reason, req.principal!);
  }

  @Post(':id/revoke')
  @HttpCode(200)
  @RequireRoles('approver')
  revoke(@Param('id', uuidParam()) id: string, @Body() dto: DecisionDto, @Req() req: AuthenticatedRequest) {
    return this.exceptions.revoke(id, dto.reason, req.principal!);
  }

  @Get()
  @RequireRoles(...READERS)
  list(@Query() q: ListExceptionsQuery, @Req() req: AuthenticatedRequest) {
    return this.exceptions.list(q, req.principal!);
  }

  @Get(':id')
  @RequireRoles(...READERS)
  get(@Param('id', uuidParam()) id: string, @Req() req: AuthenticatedRequest) {
    return this.exceptions.get(id, req.principal!);
  }
}
