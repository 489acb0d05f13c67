import { Body, Controller, Get, HttpCode, Param, Post, Query, Req } from '@nestjs/common';
import { ApiBody, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { READERS, RequireRoles, type AuthenticatedRequest } from '@tollgate/auth';
import { ApiUuidParam } from '../common/api-docs';
import { ApiErrors } from '../common/api-errors';
import { uuidParam } from '../common/uuid.pipe';
import { AttestationPage, AttestationView } from './attestations.response';
import { AttestationsService } from './attestations.service';
import { CreateAttestationDto, ListAttestationsQuery, RevokeAttestationDto } from './dto/attestation.dto';

@ApiTags('attestations')
@Controller('attestations')
export class AttestationsController {
  constructor(private readonly attestations: AttestationsService) {}

  @Post()
  @RequireRoles('approver')
  @ApiOperation({
    summary: 'Attest a control',
    description:
      'Records that an approver checked a setting no provider API shows. The attestation control passes while the attestation ' +
      'stands (until `expiresAt`, at most one year ahead) and is `unknown` otherwise; the connection is polled at once so its ' +
      'findings show it. Recorded in the evidence ledger. Roles: approver, admin.',
  })
  @ApiBody({ type: CreateAttestationDto })
  @ApiCreatedResponse({ description: 'The recorded attestation.', type: AttestationView })
  @ApiErrors(
    [400, 'The request is invalid: a field failed validation, the control is not an attestation control of the baseline, or `expiresAt` is past or more than a year ahead.'],
    401,
    403,
    [404, 'No such connection, or it is outside the connections this key is scoped to.'],
    413,
    415,
    429,
  )
  record(@Body() dto: CreateAttestationDto, @Req() req: AuthenticatedRequest) {
    return this.attestations.record(dto, req.principal!);
  }

  @Post(':id/revoke')
  @HttpCode(200)
  @RequireRoles('approver')
  @ApiOperation({
    summary: 'Revoke an attestation',
    description: 'Ends an active attestation early; its control is `unknown` again after the poll that follows at once. Roles: approver, admin.',
  })
  @ApiUuidParam('Attestation id.')
  @ApiBody({ type: RevokeAttestationDto })
  @ApiOkResponse({ description: 'The revoked attestation.', type: AttestationView })
  @ApiErrors(400, 401, 403, 404, [409, 'The attestation is no longer active (revoked or expired).'], 413, 415, 429)
  revoke(@Param('id', uuidParam()) id: string, @Body() dto: RevokeAttestationDto, @Req() req: AuthenticatedRequest) {
    return this.attestations.revoke(id, dto.reason, req.principal!);
  }

  @Get()
  @RequireRoles(...READERS)
  @ApiOperation({ summary: 'List attestations', description: 'Newest first, one page at a time. Roles: every role.' })
  @ApiOkResponse({ description: 'One page of attestations.', type: AttestationPage })
  @ApiErrors([400, 'A query value is invalid, or the cursor is not one this API returned.'], 401, 403, 429)
  list(@Query() q: ListAttestationsQuery, @Req() req: AuthenticatedRequest) {
    return this.attestations.list(q, req.principal!);
  }

  @Get(':id')
  @RequireRoles(...READERS)
  @ApiOperation({ summary: 'Get an attestation', description: 'One attestation. Roles: every role.' })
  @ApiUuidParam('Attestation id.')
  @ApiOkResponse({ description: 'The attestation.', type: AttestationView })
  @ApiErrors([400, 'The id is not a UUID.'], 401, 403, 404, 429)
  get(@Param('id', uuidParam()) id: string, @Req() req: AuthenticatedRequest) {
    return this.attestations.get(id, req.principal!);
  }
}
