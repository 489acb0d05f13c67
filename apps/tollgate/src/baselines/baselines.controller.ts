import { Body, Controller, Get, HttpCode, Param, Post, UnprocessableEntityException } from '@nestjs/common';
import {
  ApiBody,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiProperty,
  ApiPropertyOptional,
  ApiSchema,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { IsOptional, IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { BaselineError, parseBaseline, type Baseline } from '@tollgate/baseline';
import { READERS, RequireRoles, RequireUnscopedKey } from '@tollgate/auth';
import { ApiErrors } from '../common/api-errors';
import { BaselineErrorResponse, BaselineList, BaselineReloadErrorResponse, BaselinesReloaded, BaselineValidation, BaselineView } from './baselines.response';
import { BaselinesService } from './baselines.service';

@ApiSchema({ description: 'A baseline file to check without loading it. Unknown fields are rejected.' })
export class ValidateBaselineDto {
  /** The YAML text of one baseline file. */
  @ApiProperty({ description: 'The YAML text of one baseline file.', minLength: 1, maxLength: 1_000_000, example: 'id: my-slack\nversion: 1\nprovider: slack\n...' })
  @IsString() @MinLength(1) @MaxLength(1_000_000)
  content: string;

  @ApiPropertyOptional({ description: 'File name used in error positions.', pattern: '^[\\w.-]{1,100}$', default: 'baseline.yaml', example: 'my-slack.yaml' })
  @IsOptional() @IsString() @Matches(/^[\w.-]{1,100}$/)
  fileName?: string;
}

const summary = (b: Baseline) => ({
  id: b.id,
  version: b.version,
  provider: b.provider,
  title: b.title,
  hash: b.hash,
  controls: b.controls.length,
});

@ApiTags('baselines')
@Controller('baselines')
export class BaselinesController {
  constructor(private readonly baselines: BaselinesService) {}

  @Get()
  @RequireRoles(...READERS)
  @ApiOperation({ summary: 'List baselines', description: 'The baselines in force: shipped presets and TOLLGATE_BASELINES_DIR. Roles: every role.' })
  @ApiOkResponse({ description: 'A summary of each baseline.', type: BaselineList })
  @ApiErrors(401, 403, 429)
  list() {
    return { items: this.baselines.list().map(summary) };
  }

  @Get(':id')
  @RequireRoles(...READERS)
  @ApiOperation({ summary: 'Get a baseline', description: 'One baseline with its parameters and controls. Roles: every role.' })
  @ApiParam({ name: 'id', description: 'Baseline id.', type: 'string', example: 'slack-locked-down' })
  @ApiOkResponse({ description: 'The baseline.', type: BaselineView })
  @ApiErrors(401, 403, [404, 'No baseline has this id.'], 429)
  get(@Param('id') id: string) {
    const { source: _source, ...baseline } = this.baselines.get(id);
    return baseline;
  }

  /**
   * Re-reads the baseline files (shipped presets and TOLLGATE_BASELINES_DIR) of this replica. A bad
   * set is refused with 422 naming file, line and reason, and the previous set stays in force.
   */
  @Post('reload')
  @HttpCode(200)
  @RequireRoles()
  // Baselines hold every connection: a key scoped to some may not swap them for all.
  @RequireUnscopedKey()
  @ApiOperation({
    summary: 'Reload baselines',
    description:
      'Re-reads the shipped presets and TOLLGATE_BASELINES_DIR on the replica that answers. A bad set is refused and the previous ' +
      'one stays in force. Roles: admin, with a key for all connections.',
  })
  @ApiOkResponse({ description: 'Reloaded: the baselines now in force.', type: BaselinesReloaded })
  @ApiUnprocessableEntityResponse({
    description: 'Refused, the previous baselines stay in force: where and why (file, line, column when a file is invalid).',
    type: BaselineReloadErrorResponse,
  })
  @ApiErrors(401, 403, 429)
  reload() {
    try {
      this.baselines.reload();
    } catch (err) {
      if (err instanceof BaselineError) throw unprocessable(err);
      throw new UnprocessableEntityException({ statusCode: 422, error: 'Unprocessable Entity', message: (err as Error).message });
    }
    return { reloaded: true, items: this.baselines.list().map(summary) };
  }

  @Post('validate')
  @HttpCode(200)
  @RequireRoles('operator')
  @ApiOperation({
    summary: 'Validate a baseline file',
    description: 'Parses and checks a baseline without loading it; a problem is reported with its file, line and column. Roles: operator, admin.',
  })
  @ApiBody({ type: ValidateBaselineDto })
  @ApiOkResponse({ description: 'The baseline is valid: its summary.', type: BaselineValidation })
  @ApiUnprocessableEntityResponse({ description: 'The baseline is invalid: where and why.', type: BaselineErrorResponse })
  @ApiErrors(400, 401, 403, 413, 415, 429)
  validate(@Body() dto: ValidateBaselineDto) {
    try {
      return { valid: true, ...summary(parseBaseline(dto.content, dto.fileName ?? 'baseline.yaml')) };
    } catch (err) {
      if (!(err instanceof BaselineError)) throw err;
      throw unprocessable(err);
    }
  }
}

function unprocessable(err: BaselineError): UnprocessableEntityException {
  return new UnprocessableEntityException({
    statusCode: 422,
    error: 'Unprocessable Entity',
    message: err.message,
    file: err.file,
    line: err.line,
    column: err.column,
    reason: err.reason,
  });
}
