import { Controller, Get, HttpStatus, Inject, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import type { Config } from '../infrastructure/config/config';
import type { Database } from '../infrastructure/postgres/database';
import type { AvroRegistry } from '../infrastructure/schema-registry/avro-registry';
import { EVENTING, type Eventing } from '../eventing/eventing';
import type { KubernetesClusters } from '../infrastructure/kubernetes/clusters';
import { CONFIG, DATABASE, KUBERNETES, MESSAGING, SCHEMA_REGISTRY } from '../infrastructure/tokens';
import { Public } from '../infrastructure/auth/decorators';
import { COMPONENTS, type Components } from './components';
import type { Messaging } from '../messaging/ports';

export interface CheckResult {
  status: 'up' | 'down';
  latencyMs: number;
  detail?: string;
  error?: string;
}

@ApiTags('operations')
@Public() // probes carry no credentials
@Controller()
export class HealthController {
  constructor(
    @Inject(CONFIG) private readonly config: Config,
    @Inject(MESSAGING) private readonly messaging: Messaging,
    @Inject(SCHEMA_REGISTRY) private readonly registry: AvroRegistry,
    @Inject(DATABASE) private readonly database: Database,
    @Inject(KUBERNETES) private readonly clusters: KubernetesClusters | null,
    @Inject(EVENTING) private readonly eventing: Eventing,
    @Inject(COMPONENTS) private readonly components: Components,
  ) {}

  @Get('healthz')
  @ApiOperation({ summary: 'Liveness: the process is up and serving HTTP' })
  @ApiOkResponse({ description: 'alive' })
  healthz() {
    return { status: 'ok' };
  }

  @Get('readyz')
  @ApiOperation({
    summary:
      'Readiness: Kafka, the schema registry and Postgres answer; every configured cluster is reported',
    description:
      'An unreachable cluster makes the status "degraded" but keeps 200: one cluster down must not take the ' +
      'control plane of the whole fleet out of service.',
  })
  @ApiOkResponse({
    description: 'core dependencies up (status ready, or degraded when a cluster is unreachable)',
  })
  @ApiServiceUnavailableResponse({ description: 'Kafka, the registry or Postgres is down; see checks' })
  async readyz(@Res({ passthrough: true }) res: Response) {
    const timeout = this.config.readyTimeoutMs;
    const [kafka, schemaRegistry, postgres, clusters] = await Promise.all([
      this.check(timeout, async () => `${(await this.messaging.ping()).brokers} broker(s)`),
      this.check(timeout, () => this.registry.ping(timeout)),
      this.check(timeout, () => this.database.ping(timeout)),
      this.clusters?.health(timeout) ?? [],
    ]);
    const checks = { kafka, schemaRegistry, postgres };
    // The write side (topics, schemas, processor, results feed) counts once it has started.
    const writeSide = this.eventing.status;
    // Background roles (projections, effects) count too: a process that serves stale reads or
    // applies nothing is not ready, even if every dependency answers.
    const roles = this.components.all();
    const ready =
      Object.values(checks).every((c) => c.status === 'up') &&
      writeSide.state === 'up' &&
      this.components.allUp();
    const allClusters = clusters.every((c) => c.reachable);
    res.status(ready ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE);
    const status = !ready ? 'not_ready' : allClusters ? 'ready' : 'degraded';
    return { status, checks, writeSide, roles, clusters };
  }

  private async check(timeoutMs: number, probe: () => Promise<string | void>): Promise<CheckResult> {
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    let timer: NodeJS.Timeout | undefined;
    try {
      const detail = await Promise.race([
        probe(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
        }),
      ]);
      return { status: 'up', latencyMs: elapsed(), ...(detail ? { detail } : {}) };
    } catch (error) {
      return { status: 'down', latencyMs: elapsed(), error: (error as Error).message };
    } finally {
      clearTimeout(timer);
    }
  }
}
