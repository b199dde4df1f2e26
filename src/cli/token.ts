import { Command } from 'commander';
import { CONFIG_VARIABLES, ConfigError, loadVariables, LOCAL_ISSUER } from '../infrastructure/config/config';
// The leaf modules, not the index: the CLI need not load Nest and the HTTP layer.
import { parseTtl, signLocalToken } from '../infrastructure/auth/local-tokens';
import { isRole, ROLES } from '../infrastructure/auth/roles';

/** sysexits EX_USAGE: the command line itself is wrong. */
const EX_USAGE = 64;

interface TokenOptions {
  sub?: string;
  role?: string;
  ttl: string;
}

/** `sentinel token`: a bearer token for local runs, signed with SENTINEL_AUTH_SIGNING_KEY. */
export const tokenCommand = new Command('token')
  .description('print a JWT signed with SENTINEL_AUTH_SIGNING_KEY, for local runs and tests')
  .option('--sub <name>', 'the actor the token names (its sub claim); required')
  .option('--role <role>', `the role it grants, one of ${ROLES.join(', ')}; required`)
  .option('--ttl <duration>', 'how long it is valid: a number with s, m, h or d, at most 30d', '1h')
  .action(async (opts: TokenOptions, command: Command) => {
    const usage: (message: string) => never = (message) =>
      command.error(`sentinel token: ${message}`, { exitCode: EX_USAGE });
    const subject = opts.sub?.trim();
    if (!subject) usage('--sub <name> is required');
    if (!isRole(opts.role))
      usage(
        `--role ${opts.role === undefined ? 'is required' : `${JSON.stringify(opts.role)} is not a role`}; ` +
          `use one of ${ROLES.join(', ')}`,
      );
    const ttl = parseTtl(opts.ttl);
    if (ttl === undefined)
      usage(`--ttl ${JSON.stringify(opts.ttl)}: use e.g. 90s, 15m, 1h or 7d (at most 30d)`);

    const env = loadVariables([
      'SENTINEL_AUTH_SIGNING_KEY',
      'SENTINEL_AUTH_ISSUER',
      'SENTINEL_AUTH_AUDIENCE',
    ]);
    const signingKey = env.SENTINEL_AUTH_SIGNING_KEY;
    if (!signingKey)
      throw new ConfigError([
        {
          variable: 'SENTINEL_AUTH_SIGNING_KEY',
          reason: process.env.SENTINEL_AUTH_JWKS_URL
            ? 'is missing: with SENTINEL_AUTH_JWKS_URL set, tokens come from the OIDC issuer, not from Sentinel'
            : 'is missing; set the same key the server verifies with',
          help: CONFIG_VARIABLES.SENTINEL_AUTH_SIGNING_KEY.help,
        },
      ]);
    const token = await signLocalToken(
      { subject, role: opts.role },
      { signingKey, issuer: env.SENTINEL_AUTH_ISSUER ?? LOCAL_ISSUER, audience: env.SENTINEL_AUTH_AUDIENCE },
      ttl,
    );
    process.stdout.write(`${token}\n`);
  });
