import { Body, Controller, Get, HttpCode, Param, Post, Query, Req } from '@nestjs/common';
import { ApiBody, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { READERS, RequireRoles, type AuthenticatedRequest } from '@tollgate/auth';
import { ApiUuidParam } from '../common/api-docs';
import { ApiErrors } from '../common/api-errors';
import { uuidParam } from '../common/uuid.pipe';
import { CreateExceptionDto, DecisionDto, ListExceptionsQuery } from './dto/exception.dto';
import { ExceptionDetail, ExceptionPage } from './exceptions.response';
import { ExceptionsService } from './exceptions.service';

@ApiTags('exceptions')
@Controller('exceptions')
export class ExceptionsController {
  constructor(private readonly exceptions: ExceptionsService) {}

  /** Business owners ask through an operator key; approvers may ask too (but never approve their own). */
  @Post()
  @RequireRoles('operator', 'approver')
  @ApiOperation({
    summary: 'Request an exception',
    description:
      'Asks to accept the risk of one control, on one resource or all of them, until `expiresAt`. It takes effect once another ' +
      'approver approves it. Roles: operator, approver, admin.',
  })
  @ApiBody({ type: CreateExceptionDto })
  @ApiCreatedResponse({ description: 'The requested exception with its history.', type: ExceptionDetail })
  @ApiErrors(
    [400, 'The request is invalid: a field failed validation, the control is not in the baseline, or `expiresAt` is past or too far ahead.'],
    401,
    403,
    [404, 'No such connection, or it is outside the connections this key is scoped to.'],
    413,
    415,
    429,
  )
  request(@Body() dto: CreateExceptionDto, @Req() req: AuthenticatedRequest) {
    return this.exceptions.request(dto, req.principal!);
  }

  @Post(':id/approve')
  @HttpCode(200)
  @RequireRoles('approver')
  @ApiOperation({
    summary: 'Approve an exception',
    description:
      'The matching open drifts become excepted. The approver must be another principal than the requester (another key of the ' +
      'same principal is not enough). Roles: approver, admin.',
  })
  @ApiUuidParam('Exception id.')
  @ApiBody({ type: DecisionDto })
  @ApiOkResponse({ description: 'The approved exception with its history.', type: ExceptionDetail })
  @ApiErrors(
    400,
    401,
    [403, "The key's role may not do this, or the key's principal requested the exception."],
    404,
    [409, 'The exception is not in the requested state, or it expired before approval.'],
    413,
    415,
    429,
  )
  approve(@Param('id', uuidParam()) id: string, @Body() dto: DecisionDto, @Req() req: AuthenticatedRequest) {
    return this.exceptions.decide(id, 'approved', dto.reason, req.principal!);
  }

  @Post(':id/reject')
  @HttpCode(200)
  @RequireRoles('approver')
  @ApiOperation({ summary: 'Reject an exception', description: 'The approver must be another principal than the requester. Roles: approver, admin.' })
  @ApiUuidParam('Exception id.')
  @ApiBody({ type: DecisionDto })
  @ApiOkResponse({ description: 'The rejected exception with its history.', type: ExceptionDetail })
  @ApiErrors(
    400,
    401,
    [403, "The key's role may not do this, or the key's principal requested the exception."],
    404,
    [409, 'The exception is not in the requested state.'],
    413,
    415,
    429,
  )
  reject(@Param('id', uuidParam()) id: string, @Body() dto: DecisionDto, @Req() req: AuthenticatedRequest) {
    return this.exceptions.decide(id, 'rejected', dto.reason, req.principal!);
  }

  @Post(':id/revoke')
  @HttpCode(200)
  @RequireRoles('approver')
  @ApiOperation({ summary: 'Revoke an exception', description: 'Ends an approved exception early; its drifts are open again and alert again. Roles: approver, admin.' })
  @ApiUuidParam('Exception id.')
  @ApiBody({ type: DecisionDto })
  @ApiOkResponse({ description: 'The revoked exception with its history.', type: ExceptionDetail })
  @ApiErrors(400, 401, 403, 404, [409, 'The exception is not approved.'], 413, 415, 429)
  revoke(@Param('id', uuidParam()) id: string, @Body() dto: DecisionDto, @Req() req: AuthenticatedRequest) {
    return this.exceptions.revoke(id, dto.reason, req.principal!);
  }

  @Get()
  @RequireRoles(...READERS)
  @ApiOperation({ summary: 'List exceptions', description: 'Newest request first, one page at a time. Roles: every role.' })
  @ApiOkResponse({ description: 'One page of exceptions.', type: ExceptionPage })
  @ApiErrors([400, 'A query value is invalid, or the cursor is not one this API returned.'], 401, 403, 429)
  list(@Query() q: ListExceptionsQuery, @Req() req: AuthenticatedRequest) {
    return this.exceptions.list(q, req.principal!);
  }

  @Get(':id')
  @RequireRoles(...READERS)
  @ApiOperation({ summary: 'Get an exception', description: 'One exception ticket with every transition. Roles: every role.' })
  @ApiUuidParam('Exception id.')
  @ApiOkResponse({ description: 'The exception with its history.', type: ExceptionDetail })
  @ApiErrors([400, 'The id is not a UUID.'], 401, 403, 404, 429)
  get(@Param('id', uuidParam()) id: string, @Req() req: AuthenticatedRequest) {
    return this.exceptions.get(id, req.principal!);
  }
}
