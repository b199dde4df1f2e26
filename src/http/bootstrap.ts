import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { Logger as PinoNestLogger } from 'nestjs-pino';
import { AppModule } from '../app.module';
import type { Config } from '../infrastructure/config/config';
import type { Logger } from '../infrastructure/logging/logger';
import { jsonBody } from './body';
import { ProblemFilter } from './problem.filter';

export async function createApp(config: Config, logger: Logger): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config, logger), {
    bufferLogs: true,
    bodyParser: false,
  });
  app.useLogger(app.get(PinoNestLogger));
  app.disable('x-powered-by');
  app.set('trust proxy', false);
  app.use(...jsonBody());
  app.useGlobalFilters(new ProblemFilter(logger.child({ component: 'http' })));
  app.enableShutdownHooks();

  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Sentinel')
      .setDescription('Event-sourced control plane for AI/ML workloads on Kubernetes fleets')
      .setVersion(process.env.npm_package_version ?? '0.1.0')
      .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' })
      .build(),
  );
  SwaggerModule.setup('docs', app, document, {
    swaggerUiEnabled: false,
    raw: ['json'],
    jsonDocumentUrl: 'openapi.json',
  });
  return app;
}
