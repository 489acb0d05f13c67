import { ApiProperty } from '@nestjs/swagger';

// Shapes of what HealthController returns, for the OpenAPI document only.

export class Liveness {
  @ApiProperty({ description: 'The process is alive.', enum: ['ok'] })
  status: 'ok';
}

export class Readiness {
  @ApiProperty({ description: 'Ready to serve.', enum: ['ready'] })
  status: 'ready';

  @ApiProperty({ description: 'The database answered within 2 s.', enum: ['up'] })
  database: 'up';

  @ApiProperty({ description: 'Every migration is applied.', enum: ['applied'] })
  migrations: 'applied';
}
