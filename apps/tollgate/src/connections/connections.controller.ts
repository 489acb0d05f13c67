import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Req, Res } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBody, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { READERS, RequireRoles, RequireUnscopedKey, type AuthenticatedRequest } from '@tollgate/auth';
import { ApiUuidParam } from '../common/api-docs';
import { ApiErrors } from '../common/api-errors';
import { ConnectionChange, ConnectionFindings, ConnectionList, ConnectionView, PollScheduled, SnapshotView } from './connections.response';
import { ConnectionsService } from './connections.service';
import { CreateConnectionDto, UpdateConnectionDto } from './dto/connection.dto';
import { uuidParam } from '../common/uuid.pipe';

@ApiTags('connections')
@Controller('connections')
export class ConnectionsController {
  constructor(private readonly connections: ConnectionsService) {}

  @Post()
  @RequireRoles('operator')
  // A new connection is outside every scope a key was given: only a key for all connections creates one.
  @RequireUnscopedKey()
  @ApiOperation({
    summary: 'Create a connection',
    description:
      'Checks the credentials, baseline, parameters and endpoints against the connector before anything is stored; ' +
      'the credentials are encrypted and never returned. The first poll is due at once. Roles: operator, admin, with a key for all connections.',
  })
  @ApiBody({ type: CreateConnectionDto })
  @ApiCreatedResponse({ description: 'The connection, without its credentials.', type: ConnectionView })
  @ApiErrors(400, 401, 403, [409, 'A connection with this name already exists.'], 413, 415, 429)
  create(@Body() dto: CreateConnectionDto) {
    return this.connections.create(dto);
  }

  @Get()
  @RequireRoles(...READERS)
  @ApiOperation({ summary: 'List connections', description: 'Every connection the key may see, by name, with its polling status. Roles: every role.' })
  @ApiOkResponse({ description: 'The connections.', type: ConnectionList })
  @ApiErrors(401, 403, 429)
  list(@Req() req: AuthenticatedRequest) {
    return this.connections.list(req.principal);
  }

  @Get(':id')
  @RequireRoles(...READERS)
  @ApiOperation({ summary: 'Get a connection', description: 'One connection with its polling status. Roles: every role.' })
  @ApiUuidParam('Connection id.')
  @ApiOkResponse({ description: 'The connection.', type: ConnectionView })
  @ApiErrors([400, 'The id is not a UUID.'], 401, 403, 404, 429)
  get(@Param('id', uuidParam()) id: string, @Req() req: AuthenticatedRequest) {
    return this.connections.get(id, req.principal);
  }

  @Patch(':id')
  @RequireRoles('operator')
  @ApiOperation({
    summary: 'Change a connection',
    description:
      'Absent fields keep their value. A new baseline, parameters, credentials, endpoints or residency make the next poll due at once. ' +
      'A change that loosens what the connection is held to (another baseline; approved apps, allowed organisations, domains or regions ' +
      'added; a bound raised; a declared residency changed; any parameter change that cannot be shown stricter) is not applied: it is ' +
      'stored as a pending change (202) until an approver who is another principal approves it at ' +
      '`POST /connections/{id}/changes/{changeId}/approve`; it must come alone, without operational fields. Tightening applies at once. ' +
      'Either way the change is an entry in the evidence ledger. Connections from TOLLGATE_CONNECTIONS_FILE are changed in that file, ' +
      'not here. A key scoped to connections may not rename them. Roles: operator, admin.',
  })
  @ApiUuidParam('Connection id.')
  @ApiBody({ type: UpdateConnectionDto })
  @ApiOkResponse({ description: 'The change is applied: the changed connection.', type: ConnectionView })
  @ApiAcceptedResponse({ description: 'The change loosens: nothing changed yet; the pending change waits for an approver.', type: ConnectionChange })
  @ApiErrors(
    [400, 'A field failed validation, or a loosening change came with other fields.'],
    401,
    [403, "The key's role may not do this, or a key scoped to connections tried to rename one."],
    404,
    [409, 'The connection is managed by TOLLGATE_CONNECTIONS_FILE, the new name is taken, or another change is waiting for approval.'],
    413,
    415,
    429,
  )
  async update(
    @Param('id', uuidParam()) id: string,
    @Body() dto: UpdateConnectionDto,
    @Req() req: AuthenticatedRequest,
    @Res({ passthrough: true }) res: Response,
  ) {
    const result = await this.connections.update(id, dto, req.principal);
    if ('pending' in result) {
      res.status(202);
      return result.pending;
    }
    return result.applied;
  }

  @Delete(':id')
  @HttpCode(204)
  @RequireRoles('operator')
  @ApiOperation({
    summary: 'Delete a connection',
    description: 'Stops polling and destroys the credentials; the drift history stays for auditors. Roles: operator, admin.',
  })
  @ApiUuidParam('Connection id.')
  @ApiNoContentResponse({ description: 'Deleted.' })
  @ApiErrors([400, 'The id is not a UUID.'], 401, 403, 404, [409, 'The connection is managed by TOLLGATE_CONNECTIONS_FILE.'], 429)
  async remove(@Param('id', uuidParam()) id: string, @Req() req: AuthenticatedRequest): Promise<void> {
    await this.connections.remove(id, req.principal);
  }

  @Post(':id/poll')
  @HttpCode(202)
  @RequireRoles('operator')
  @ApiOperation({ summary: 'Poll a connection now', description: 'Makes the next poll due now; a worker runs it on its next tick. Roles: operator, admin.' })
  @ApiUuidParam('Connection id.')
  @ApiAcceptedResponse({ description: 'The poll is scheduled.', type: PollScheduled })
  @ApiErrors([400, 'The id is not a UUID.'], 401, 403, 404, 429)
  poll(@Param('id', uuidParam()) id: string, @Req() req: AuthenticatedRequest) {
    return this.connections.requestPoll(id, req.principal);
  }

  @Get(':id/findings')
  @RequireRoles(...READERS)
  @ApiOperation({
    summary: 'Current findings of a connection',
    description: 'Pass, fail or unknown per control and resource, from the last successful poll. Roles: every role.',
  })
  @ApiUuidParam('Connection id.')
  @ApiOkResponse({ description: 'The findings.', type: ConnectionFindings })
  @ApiErrors([400, 'The id is not a UUID.'], 401, 403, 404, 429)
  findings(@Param('id', uuidParam()) id: string, @Req() req: AuthenticatedRequest) {
    return this.connections.findings(id, req.principal);
  }

  @Get(':id/snapshot')
  @RequireRoles(...READERS)
  @ApiOperation({ summary: 'Current posture snapshot of a connection', description: 'The normalized posture document of the last successful poll. Roles: every role.' })
  @ApiUuidParam('Connection id.')
  @ApiOkResponse({ description: 'The snapshot.', type: SnapshotView })
  @ApiErrors([400, 'The id is not a UUID.'], 401, 403, [404, 'No such connection, or it has no successful poll yet.'], 429)
  snapshot(@Param('id', uuidParam()) id: string, @Req() req: AuthenticatedRequest) {
    return this.connections.snapshot(id, req.principal);
  }
}
