import { Body, Controller, Get, HttpCode, Param, Post, Query, Req } from '@nestjs/common';
import { ApiBody, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { READERS, RequireRoles, type AuthenticatedRequest } from '@tollgate/auth';
import { ApiUuidParam } from '../common/api-docs';
import { ApiErrors } from '../common/api-errors';
import { uuidParam } from '../common/uuid.pipe';
import { DecisionDto } from '../exceptions/dto/exception.dto';
import { ConnectionChangesService } from './connection-changes.service';
import { ConnectionChange, ConnectionChangePage } from './connections.response';
import { ListChangesQuery } from './dto/connection-change.dto';

const ApiChangeParam = () =>
  ApiParam({ name: 'changeId', description: 'Change id.', format: 'uuid', type: 'string', example: '2b1f0c7e-9d4a-4e3b-8c6f-5a0d1e2f3a4b' });

/** Changes to what a connection is held to: operators ask (PATCH /connections/{id}), approvers decide. */
@ApiTags('connections')
@Controller('connections')
export class ConnectionChangesController {
  constructor(private readonly changes: ConnectionChangesService) {}

  @Get(':id/changes')
  @RequireRoles(...READERS)
  @ApiOperation({
    summary: 'Changes to what a connection is held to',
    description: 'Applied, pending and decided changes of its baseline, parameters and declared residency, newest first. Roles: every role.',
  })
  @ApiUuidParam('Connection id.')
  @ApiOkResponse({ description: 'One page of changes.', type: ConnectionChangePage })
  @ApiErrors([400, 'A query value is invalid, or the cursor is not one this API returned.'], 401, 403, 404, 429)
  list(@Param('id', uuidParam()) id: string, @Query() q: ListChangesQuery, @Req() req: AuthenticatedRequest) {
    return this.changes.list(id, q, req.principal!);
  }

  @Get(':id/changes/:changeId')
  @RequireRoles(...READERS)
  @ApiOperation({ summary: 'One change to what a connection is held to', description: 'With its before and after, requester and decision. Roles: every role.' })
  @ApiUuidParam('Connection id.')
  @ApiChangeParam()
  @ApiOkResponse({ description: 'The change.', type: ConnectionChange })
  @ApiErrors([400, 'An id is not a UUID.'], 401, 403, 404, 429)
  get(@Param('id', uuidParam()) id: string, @Param('changeId', uuidParam('changeId')) changeId: string, @Req() req: AuthenticatedRequest) {
    return this.changes.get(id, changeId, req.principal!);
  }

  @Post(':id/changes/:changeId/approve')
  @HttpCode(200)
  @RequireRoles('approver')
  @ApiOperation({
    summary: 'Approve a loosening change',
    description:
      'Applies the pending change: the connection is held to its `after`, the drifts that now pass on the last snapshot close as ' +
      '`baseline_changed`, and the next poll is due at once. The approver must be another principal than the requester. Roles: approver, admin.',
  })
  @ApiUuidParam('Connection id.')
  @ApiChangeParam()
  @ApiBody({ type: DecisionDto })
  @ApiOkResponse({ description: 'The approved change.', type: ConnectionChange })
  @ApiErrors(
    400,
    401,
    [403, "The key's role may not do this, or its principal requested the change."],
    404,
    [409, 'The change is not pending (decided or expired), or the connection changed since it was requested.'],
    413,
    415,
    429,
  )
  approve(
    @Param('id', uuidParam()) id: string,
    @Param('changeId', uuidParam('changeId')) changeId: string,
    @Body() dto: DecisionDto,
    @Req() req: AuthenticatedRequest,
  ) {
    return this.changes.approve(id, changeId, dto.reason, req.principal!);
  }

  @Post(':id/changes/:changeId/reject')
  @HttpCode(200)
  @RequireRoles('approver')
  @ApiOperation({
    summary: 'Reject a loosening change',
    description: 'The connection stays as it is. The approver must be another principal than the requester. Roles: approver, admin.',
  })
  @ApiUuidParam('Connection id.')
  @ApiChangeParam()
  @ApiBody({ type: DecisionDto })
  @ApiOkResponse({ description: 'The rejected change.', type: ConnectionChange })
  @ApiErrors(
    400,
    401,
    [403, "The key's role may not do this, or its principal requested the change."],
    404,
    [409, 'The change is not pending (decided or expired).'],
    413,
    415,
    429,
  )
  reject(
    @Param('id', uuidParam()) id: string,
    @Param('changeId', uuidParam('changeId')) changeId: string,
    @Body() dto: DecisionDto,
    @Req() req: AuthenticatedRequest,
  ) {
    return this.changes.reject(id, changeId, dto.reason, req.principal!);
  }
}
