// The studio's local EAS services (`serve`, the Try & Publish page): one per name, each with its
// own loaded model, all stopped when the studio closes.

import { randomBytes } from 'node:crypto';
import { StudioError, type ModelVersion, type ServiceInfo, type StartServiceInput } from '../../shared/api';
import { ModelRuntime } from './runtime';
import { z } from 'zod';
import { parse } from '../validate';
import { DEFAULTS, defaultServiceName, serviceNameProblem, startEasService, type EasService } from './service';

export const startServiceSchema = z.object({
  modelId: z.number().int().positive(),
  port: z.number({ message: 'port must be a number' }).int().min(0, 'port must be 0–65535').max(65535, 'port must be 0–65535').optional(),
  host: z.string().min(1, 'host must not be empty').optional(),
  token: z.string().min(1, 'token must not be empty').max(512).optional(),
  name: z.string().optional(),
});

interface Running {
  info: ServiceInfo;
  service: EasService;
  runtime: ModelRuntime;
}

export class ServiceManager {
  private readonly running = new Map<string, Running>();
  /** Names being started, so two starts of one name cannot race. */
  private readonly starting = new Set<string>();

  async start(model: ModelVersion, raw: StartServiceInput, log?: (line: string) => void): Promise<ServiceInfo> {
    const input = parse(startServiceSchema, raw, 'startService');
    const name = input.name ?? defaultServiceName(model);
    const problem = serviceNameProblem(name);
    if (problem) throw new StudioError('invalid_input', problem, 'name');
    if (this.running.has(name) || this.starting.has(name)) throw new StudioError('conflict', `a service named "${name}" is already running; stop it or choose another name`, 'name');
    this.starting.add(name);
    try {
      const runtime = await ModelRuntime.load(model.dir);
      const token = input.token ?? randomBytes(18).toString('base64url');
      let service: EasService;
      try {
        service = await startEasService({ runtime, name, token, host: input.host ?? DEFAULTS.host, port: input.port ?? DEFAULTS.port, log });
      } catch (err) {
        runtime.dispose();
        throw err;
      }
      const info: ServiceInfo = { name, modelId: model.id, url: service.url, endpoint: service.endpoint, token, host: service.host, port: service.port, startedAt: new Date().toISOString() };
      this.running.set(name, { info, service, runtime });
      return info;
    } finally {
      this.starting.delete(name);
    }
  }

  async stop(name: string): Promise<void> {
    const r = this.running.get(name);
    if (!r) throw new StudioError('not_found', `no service named "${name}" is running`, 'name');
    this.running.delete(name);
    await r.service.close();
    r.runtime.dispose();
  }

  list(): ServiceInfo[] {
    return [...this.running.values()].map((r) => ({ ...r.info }));
  }

  /** The running service's stats, for tests and benchmarks. */
  service(name: string): EasService | undefined {
    return this.running.get(name)?.service;
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.running.keys()].map((name) => this.stop(name)));
  }
}
