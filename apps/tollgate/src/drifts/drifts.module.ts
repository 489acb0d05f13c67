import { Module } from '@nestjs/common';
import { DriftsController } from './drifts.controller';

@Module({ controllers: [DriftsController] })
export class DriftsModule {}
