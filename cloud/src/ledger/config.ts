import { InputError, limits, publicKeyText } from '@suyuan/shared';
import { z } from 'zod';

/**
 * Ledger configuration. Chains are configuration, not code: each has a name and a kind (which
 * payloads it takes); a further chain of a kind (a region, a product line) takes the events of the
 * participants it lists, and the first chain of a kind without a list takes the rest. The genesis
 * administrators are the only participants that exist before the first block.
 */

export const chainKinds = ['registry', 'trace', 'telemetry'] as const;
export type ChainKind = (typeof chainKinds)[number];

const chainConfigSchema = z
  .object({
    name: z.string().regex(/^[a-z][a-z0-9-]{0,31}$/),
    kind: z.enum(chainKinds),
    participants: z.array(z.string().min(1)).max(10_000).optional(),
  })
  .strict();
export type ChainConfig = z.infer<typeof chainConfigSchema>;

export const ledgerConfigSchema = z
  .object({
    chains: z.array(chainConfigSchema).min(3).max(64),
    genesis: z
      .object({
        admins: z
          .array(
            z
              .object({ id: z.string().min(1).max(128), name: z.string().min(1), publicKey: publicKeyText })
              .strict(),
          )
          .min(1)
          .max(64),
      })
      .strict(),
    /** How far a submission's `created` may be from the block time (deterministic skew bound). */
    clockSkewMs: z.number().int().min(0).default(limits.clockSkewMs),
    /** A transformation's outputs may weigh at most inputs × (1 + this). */
    massBalanceTolerance: z.number().min(0).max(1).default(0.02),
    /** Most items one hold or recall may affect. */
    recallClosureMax: z.number().int().min(1).default(100_000),
  })
  .strict()
  .superRefine((c, ctx) => {
    const names = new Set(c.chains.map((ch) => ch.name));
    if (names.size !== c.chains.length)
      ctx.addIssue({ code: 'custom', message: 'chain names must be unique' });
    for (const kind of chainKinds) {
      if (!c.chains.some((ch) => ch.kind === kind && ch.participants === undefined)) {
        ctx.addIssue({
          code: 'custom',
          message: `a default chain of kind ${kind} (without participants) is needed`,
        });
      }
    }
  });
export type LedgerConfig = z.output<typeof ledgerConfigSchema>;
export type LedgerConfigInput = z.input<typeof ledgerConfigSchema>;

export const defaultChains: ChainConfig[] = [
  { name: 'registry', kind: 'registry' },
  { name: 'trace', kind: 'trace' },
  { name: 'telemetry', kind: 'telemetry' },
];

export function parseLedgerConfig(raw: unknown): LedgerConfig {
  const result = ledgerConfigSchema.safeParse(raw);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new InputError('config.invalid', `ledger config ${issue?.path.join('.') ?? ''}: ${issue?.message}`);
  }
  return result.data;
}

/** The chain a payload of this kind from this participant goes to. */
export function routeChain(config: LedgerConfig, kind: ChainKind, participantId: string): string {
  const listed = config.chains.find((c) => c.kind === kind && c.participants?.includes(participantId));
  if (listed) return listed.name;
  return config.chains.find((c) => c.kind === kind && c.participants === undefined)!.name;
}
