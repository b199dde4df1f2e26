import { Command, Option } from 'commander';
import { existsSync, mkdirSync, writeFileSync } from 'fs';
import { join } from 'path';
import { auditedTopics } from '../audit/audit-topics';
import { generateAuditKeyPair } from '../audit/digest-keys';
import { verifyLog } from '../audit/log-scan';
import type { LogVerification } from '../audit/log-verify';
import {
  auditRun,
  collect,
  err,
  EXIT_COULD_NOT_RUN,
  exitTwo,
  instantArg,
  out,
  prefixOption,
  progress,
  windowOf,
} from './audit-common';
import { auditDigestsCommand } from './audit-digests';

/** `sentinel audit ...`: tamper evidence for the whole log (issue 7, docs/adr/0008). */

interface VerifyOptions {
  from?: string;
  to?: string;
  topicPrefix?: string;
  topic: string[];
  json?: boolean;
}

const verify = exitTwo(
  new Command('verify')
    .description("check every aggregate's hash chain in every event topic (or in the given copies)")
    .addOption(
      new Option(
        '--from <iso>',
        'report records with event time (ce_time) at or after this instant',
      ).argParser(instantArg),
    )
    .addOption(
      new Option('--to <iso>', 'report records with event time (ce_time) before this instant').argParser(
        instantArg,
      ),
    )
    .addOption(prefixOption())
    .option(
      '--topic <name>',
      'verify this topic instead of the event topics, e.g. a copy (repeatable)',
      collect,
      [],
    )
    .option('--json', 'print one JSON document')
    .addHelpText(
      'after',
      '\nEvery chain is verified from genesis; --from/--to (event time) only select which records are\n' +
        'counted and whose problems are reported. Offsets of transactional topics are not contiguous,\n' +
        'so a missing event shows as a version gap and a broken link of its aggregate.\n' +
        'Exit codes: 0 clean, 1 problems found, 2 could not run.',
    ),
).action(async (opts: VerifyOptions) => {
  await auditRun(async (messaging, env) => {
    const topics = opts.topic.length
      ? opts.topic
      : auditedTopics(opts.topicPrefix ?? env.SENTINEL_TOPIC_PREFIX);
    const meter = progress();
    const result = await verifyLog(messaging, {
      topics,
      window: windowOf(opts),
      onProgress: meter.onProgress,
    });
    meter.done('verified');
    if (opts.json) out(JSON.stringify(result, null, 2));
    else printVerification(result);
    return result.ok;
  });
});

function printVerification({ checked, problems, ok }: LogVerification) {
  out(
    `checked ${checked.topics} topic(s), ${checked.partitions} partition(s), ${checked.records} record(s), ` +
      `${checked.aggregates} aggregate(s)`,
  );
  if (ok) return out('log verified: every chain recomputes and links back to genesis');
  out(`log BROKEN: ${problems.length} problem(s)`);
  for (const p of problems)
    out(
      `  ${p.topic}/${p.partition}@${p.offset} ${p.aggregateId ?? '?'} v${p.version ?? '?'}: ${p.kind} (${p.detail})`,
    );
}

const keygen = exitTwo(
  new Command('keygen')
    .description('make an Ed25519 key pair for signing audit digests')
    .requiredOption(
      '--out <dir>',
      'folder to write audit-signing.key (private, mode 0600) and audit-signing.pub',
    ),
).action((opts: { out: string }) => {
  const keyFile = join(opts.out, 'audit-signing.key');
  const pubFile = join(opts.out, 'audit-signing.pub');
  if (existsSync(keyFile) || existsSync(pubFile)) {
    err(`sentinel: ${keyFile} or ${pubFile} exists; choose another --out (keys are never overwritten)`);
    process.exit(EXIT_COULD_NOT_RUN);
  }
  const pair = generateAuditKeyPair();
  mkdirSync(opts.out, { recursive: true });
  writeFileSync(keyFile, pair.privatePem, { mode: 0o600, flag: 'wx' });
  writeFileSync(pubFile, pair.publicPem, { flag: 'wx' });
  out(`key ${pair.keyId}: private ${keyFile}, public ${pubFile}`);
  out(`sign on the server: SENTINEL_AUDIT_SIGNING_KEY="$(cat ${keyFile})"`);
  out(`give auditors the public key: sentinel audit digests verify --public-key ${pubFile}`);
});

export const auditCommand = new Command('audit')
  .description('tamper evidence: verify the whole log, signed digests, signing keys')
  .addCommand(verify)
  .addCommand(auditDigestsCommand)
  .addCommand(keygen);
