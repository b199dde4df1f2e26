import { Command, InvalidArgumentError, Option } from 'commander';
import { readFileSync } from 'fs';
import { auditedTopics, digestsTopic } from '../audit/audit-topics';
import { parsePrivateKey, parsePublicKey } from '../audit/digest-keys';
import { DigestPublisher } from '../audit/digest-publisher';
import { type DigestVerification, verifyDigests } from '../audit/digest-verify';
import { digestWriterId } from '../audit/tamper-evidence.service';
import { cliEnv } from './replay';
import {
  auditRun,
  collect,
  exitTwo,
  instantArg,
  out,
  prefixOption,
  progress,
  windowOf,
} from './audit-common';

/** `sentinel audit digests ...`: the signed digest chain (docs/adr/0008). */
export const auditDigestsCommand = new Command('digests').description(
  'signed digests of the log: verify them with the public key, or publish one now',
);

const readKeyFile = <T>(file: string, parse: (text: string) => T): T => {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new Error(`cannot read ${file}: ${(error as Error).message}`);
  }
  return parse(text);
};

const topicMapping = (value: string, previous: string[]) => {
  if (!/^[^=]+=[^=]+$/.test(value)) throw new InvalidArgumentError('use <covered topic>=<topic to read>');
  return collect(value, previous);
};

interface VerifyOptions {
  publicKey: string;
  from?: string;
  to?: string;
  topicPrefix?: string;
  digestsTopic?: string;
  topic: string[];
  json?: boolean;
}

auditDigestsCommand.addCommand(
  exitTwo(
    new Command('verify')
      .description('check every digest signature and link, and recompute the covered ranges from Kafka')
      .requiredOption(
        '--public-key <file>',
        'the Ed25519 public key (PEM or base64 SPKI), e.g. audit-signing.pub',
      )
      .addOption(
        new Option('--from <iso>', 'recompute digests created at or after this instant').argParser(
          instantArg,
        ),
      )
      .addOption(
        new Option('--to <iso>', 'recompute digests created before this instant').argParser(instantArg),
      )
      .addOption(prefixOption())
      .option('--digests-topic <name>', 'read the digests from this topic (default <prefix>.audit.digests)')
      .option(
        '--topic <covered=copy>',
        'read a covered topic from a copy with the same offsets (repeatable)',
        topicMapping,
        [],
      )
      .option('--json', 'print one JSON document')
      .addHelpText(
        'after',
        '\nSignatures and links are checked for every digest; --from/--to (digest creation time) only\n' +
          'limit which ranges are recomputed from the log. Exit codes: 0 verified, 1 problems found,\n' +
          '2 could not run.',
      ),
  ).action(async (opts: VerifyOptions) => {
    await auditRun(async (messaging, env) => {
      const publicKey = readKeyFile(opts.publicKey, parsePublicKey);
      const prefix = opts.topicPrefix ?? env.SENTINEL_TOPIC_PREFIX;
      const meter = progress();
      const result = await verifyDigests(messaging, {
        digestsTopic: opts.digestsTopic ?? digestsTopic(prefix),
        publicKey,
        window: windowOf(opts),
        topicMap: new Map(opts.topic.map((m) => m.split('=') as [string, string])),
        onProgress: meter.onProgress,
      });
      meter.done('recomputed');
      if (opts.json) out(JSON.stringify(result, null, 2));
      else printDigestVerification(result);
      return result.ok;
    });
  }),
);

function printDigestVerification(result: DigestVerification) {
  const head = result.head ? `; head sequence ${result.head.sequence} at offset ${result.head.offset}` : '';
  out(`${result.digests} digest(s), ${result.recomputed} recomputed over ${result.records} record(s)${head}`);
  if (result.digests === 0) out('no digests yet: is SENTINEL_AUDIT_SIGNING_KEY set on the server?');
  if (result.ok) return out('digests verified: signatures, links and ranges all hold');
  out(`digests BROKEN: ${result.problems.length} problem(s)`);
  for (const p of result.problems) {
    const where = p.topic === undefined ? '' : ` ${p.topic}/${p.partition}${p.offset ? `@${p.offset}` : ''}`;
    out(`  digest ${p.sequence ?? '?'} (offset ${p.digestOffset})${where}: ${p.kind} (${p.detail})`);
  }
}

auditDigestsCommand.addCommand(
  exitTwo(
    new Command('publish')
      .description('publish the next signed digest now (the server also does, every interval)')
      .option('--key <file>', 'the private key (default: SENTINEL_AUDIT_SIGNING_KEY)')
      .addOption(prefixOption())
      .option('--json', 'print the published digest as JSON'),
  ).action(async (opts: { key?: string; topicPrefix?: string; json?: boolean }) => {
    await auditRun(async (messaging, env) => {
      const privateKey = opts.key
        ? readKeyFile(opts.key, parsePrivateKey)
        : parsePrivateKey(requiredKey(cliEnv(['SENTINEL_AUDIT_SIGNING_KEY']).SENTINEL_AUDIT_SIGNING_KEY));
      const prefix = opts.topicPrefix ?? env.SENTINEL_TOPIC_PREFIX;
      const publisher = new DigestPublisher(messaging, {
        eventTopics: auditedTopics(prefix),
        digestsTopic: digestsTopic(prefix),
        privateKey,
        transactionalId: digestWriterId(env.SENTINEL_KAFKA_CLIENT_ID, prefix),
      });
      try {
        const published = await publisher.publish();
        if (opts.json) out(JSON.stringify(published, null, 2));
        else {
          const records = published.digest.body.ranges.reduce((n, r) => n + r.count, 0);
          out(
            `published digest ${published.digest.body.sequence} at ${digestsTopic(prefix)} offset ${published.offset}: ` +
              `${records} new record(s) in ${published.digest.body.ranges.length} partition(s); hash ${published.hash}`,
          );
        }
        return true;
      } finally {
        await publisher.close();
      }
    });
  }),
);

function requiredKey(key: string | undefined): string {
  if (!key)
    throw new Error(
      'no signing key: pass --key <file> or set SENTINEL_AUDIT_SIGNING_KEY (see `sentinel audit keygen`)',
    );
  return key;
}
