import { Body, Controller, Get, HttpCode, Param, Post, UnprocessableEntityException } from '@nestjs/common';
import { IsOptional, IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { BaselineError, parseBaseline, type Baseline } from '@tollgate/baseline';
import { READERS, RequireRoles } from '@tollgate/auth';
import { BaselinesService } from './baselines.service';

export class ValidateBaselineDto {
  /** The YAML text of one baseline file. */
  @IsString() @MinLength(1) @MaxLength(1_000_000)
  content: string;

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

@Controller('baselines')
export class BaselinesController {
  constructor(private readonly baselines: BaselinesService) {}

  @Get()
  @RequireRoles(...READERS)
  list() {
    return { items: this.baselines.list().map(summary) };
  }

  @Get(':id')
  @RequireRoles(...READERS)
  get(@Param('id') id: string) {
    const { source: _source, ...baseline } = this.baselines.get(id);
    return baseline;
  }

  @Post('validate')
  @HttpCode(200)
  @RequireRoles('operator')
  validate(@Body() dto: ValidateBaselineDto) {
    try {
      return { valid: true, ...summary(parseBaseline(dto.content, dto.fileName ?? 'baseline.yaml')) };
    } catch (err) {
      if (!(err instanceof BaselineError)) throw err;
      throw new UnprocessableEntityException({
        statusCode: 422,
        error: 'Unprocessable Entity',
        message: err.message,
        file: err.file,
        line: err.line,
        column: err.column,
        reason: err.reason,
      });
    }
  }
}
