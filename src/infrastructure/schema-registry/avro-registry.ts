import { COMPATIBILITY, SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';

export type Compatibility = keyof typeof COMPATIBILITY;

/**
 * Subject name under TopicRecordNameStrategy (DESIGN.md §2): one topic holds many record types,
 * each evolving under its own subject.
 */
export function topicRecordSubject(topic: string, recordFullName: string): string {
  return `${topic}-${recordFullName}`;
}

export interface AvroRecordSchema {
  type: 'record';
  name: string;
  namespace?: string;
  fields: unknown[];
  [key: string]: unknown;
}

/** Schemas by registry URL and id, for every AvroRegistry of the process (see schemaById). */
const known = new Map<string, Promise<unknown>>();

/**
 * Avro values in the Confluent wire format (magic byte 0, 4-byte schema id, Avro body) against
 * a Confluent-compatible registry. The only module that imports the registry client.
 */
export class AvroRegistry {
  private readonly client: SchemaRegistry;

  constructor(private readonly url: string) {
    this.client = new SchemaRegistry({ host: url, clientId: 'sentinel', retry: { retries: 3 } });
  }

  /** Registers (or finds) a schema under a subject, setting the subject's compatibility level. */
  async register(
    schema: AvroRecordSchema,
    subject: string,
    compatibility: Compatibility = 'BACKWARD_TRANSITIVE',
  ) {
    const attempt = () =>
      this.client.register(
        { type: SchemaType.AVRO, schema: JSON.stringify(schema) },
        { subject, compatibility: COMPATIBILITY[compatibility] },
      );
    const registered = async (id: number) => {
      // The schema under that id is this one (or the registry's equal of it): a decoder in this
      // process never has to ask for it.
      known.set(`${this.url} ${id}`, Promise.resolve(schema));
      return id;
    };
    try {
      return await registered((await bounded(attempt)).id);
    } catch (error) {
      const message = (error as Error).message ?? '';
      // Two processes setting a new subject's compatibility at once: Apicurio creates the rule
      // for one and refuses the other ("rule ... already exists"). Once it exists, setting it
      // again is an update, so one more attempt settles it.
      if (/already exists/i.test(message)) return await registered((await bounded(attempt)).id);
      // The client registers a new subject's first version and only then sets its level. A
      // start cut off between the two (a killed process, an attempt given up by `bounded`)
      // leaves a subject with no level of its own, reported as NONE, and every later start would
      // refuse it. The contract's level is what the cut-off start was setting: finish that.
      if (message.includes(`(${COMPATIBILITY[compatibility]} != NONE)`)) {
        await bounded(() => this.setCompatibility(subject, compatibility));
        return await registered((await bounded(attempt)).id);
      }
      throw error;
    }
  }

  private async setCompatibility(subject: string, compatibility: Compatibility): Promise<void> {
    const path = `/config/${encodeURIComponent(subject)}`;
    const res = await fetch(`${this.url}${path}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' },
      body: JSON.stringify({ compatibility: COMPATIBILITY[compatibility] }),
    });
    await res.arrayBuffer();
    if (!res.ok) throw new Error(`schema registry answered ${res.status} for PUT ${path}`);
  }

  encode(schemaId: number, value: unknown): Promise<Buffer> {
    return this.client.encode(schemaId, value);
  }

  /** Decodes with the writer's schema, fetched by the id in the record (and cached). */
  decode(buffer: Buffer): Promise<unknown> {
    return this.client.decode(buffer);
  }

  /**
   * The schema registered under an id. Ids never change meaning, so each is fetched once per
   * process, by one request however many decoders ask at once.
   */
  schemaById(id: number): Promise<unknown> {
    const key = `${this.url} ${id}`;
    let schema = known.get(key);
    if (!schema) {
      schema = this.getJson<{ schema: string }>(`/schemas/ids/${id}`).then(
        (b) => JSON.parse(b.schema) as unknown,
      );
      known.set(key, schema);
      schema.catch(() => known.delete(key));
    }
    return schema;
  }

  /** Every schema registered under a subject, oldest first; none for an unknown subject. */
  async subjectSchemas(subject: string): Promise<unknown[]> {
    const path = `/subjects/${encodeURIComponent(subject)}/versions`;
    const versions = await this.getJson<number[]>(path, []);
    const schemas: unknown[] = [];
    for (const v of versions) {
      schemas.push(JSON.parse((await this.getJson<{ schema: string }>(`${path}/${v}`)).schema));
    }
    return schemas;
  }

  private async getJson<T>(path: string, ifMissing?: T): Promise<T> {
    const res = await fetch(`${this.url}${path}`, { signal: AbortSignal.timeout(10_000) });
    if (res.ok) return (await res.json()) as T;
    // An unread body keeps its connection busy until it is garbage-collected.
    await res.body?.cancel();
    if (res.status === 404 && ifMissing !== undefined) return ifMissing;
    throw new Error(`schema registry answered ${res.status} for GET ${path}`);
  }

  /**
   * Reachability check for /readyz. GET /config answers a few bytes; /subjects grows with
   * every subject ever registered. The body is always read so the connection is freed.
   */
  async ping(timeoutMs: number): Promise<void> {
    const res = await fetch(`${this.url}/config`, { signal: AbortSignal.timeout(timeoutMs) });
    await res.arrayBuffer();
    if (!res.ok) throw new Error(`schema registry answered ${res.status} for GET /config`);
  }
}

/** Reads the schema id of a Confluent wire-format value, or undefined if it is not one. */
export function wireSchemaId(value: Buffer): number | undefined {
  return value.length >= 5 && value[0] === 0 ? value.readUInt32BE(1) : undefined;
}

/** How long one registry request may take before it is given up and sent again. */
const REQUEST_TIMEOUT_MS = 15_000;
const REQUEST_ATTEMPTS = 3;

/**
 * The registry client sets no timeout, and a request that never gets an answer (seen under load
 * in CI: a set-up hung past two minutes while the registry answered others) would hang its
 * caller for good. Registering is idempotent, so an unanswered attempt is simply sent again.
 */
async function bounded<T>(attempt: () => Promise<T>): Promise<T> {
  for (let n = 1; ; n++) {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`the schema registry did not answer within ${REQUEST_TIMEOUT_MS} ms`)),
        REQUEST_TIMEOUT_MS,
      );
    });
    try {
      return await Promise.race([attempt(), timedOut]);
    } catch (error) {
      if (n >= REQUEST_ATTEMPTS || !/did not answer within/.test((error as Error).message)) throw error;
    } finally {
      clearTimeout(timer);
    }
  }
}
