import { z } from 'zod';

/** Request bodies of the deployment endpoints; `.strict()` refuses unknown fields. */

const name = z
  .string()
  .regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, 'must be a DNS-1123 label: a-z, 0-9 and -, at most 63');
const stringMap = z.record(z.string().max(253), z.string().max(4096));

const resources = z
  .object({
    cpu: z.string().max(32),
    memory: z.string().max(32),
    'nvidia.com/gpu': z.number().int().min(0).default(0),
  })
  .strict();

export const createRequest = z
  .object({
    name,
    cluster: z.string().min(1).max(253),
    namespace: name,
    kind: z.enum(['Deployment', 'StatefulSet', 'Job']).default('Deployment'),
    image: z.string().min(1).max(512),
    replicas: z.number().int(),
    resources,
    env: stringMap.default({}),
    labels: stringMap.default({}),
    team: z.string().min(1).max(63),
    costPerReplicaHour: z.number().min(0).max(1_000_000),
    priorityClass: z.string().max(253).default(''),
  })
  .strict();

export const updateRequest = z
  .object({ image: z.string().min(1).max(512), env: stringMap, resources })
  .partial()
  .strict()
  .refine((r) => r.image !== undefined || r.env !== undefined || r.resources !== undefined, {
    message: 'name at least one of image, env, resources',
  });

export const scaleRequest = z.object({ replicas: z.number().int() }).strict();

export const rollbackRequest = z.object({ toRevision: z.number().int().min(1) }).strict();

export type CreateRequest = z.infer<typeof createRequest>;
export type UpdateRequest = z.infer<typeof updateRequest>;

/** The resources of a request as the contracts spell them (`gpu` for `nvidia.com/gpu`). */
export function contractResources(r: z.infer<typeof resources>) {
  return { cpu: r.cpu, memory: r.memory, gpu: r['nvidia.com/gpu'] };
}
