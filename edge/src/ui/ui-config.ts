import { hasValidCheckDigit } from '@suyuan/shared';
import { z } from 'zod';

/**
 * The farmer UI's part of the gateway config (`ui`). Listens on 127.0.0.1 unless the farm chooses
 * to expose it on its Wi-Fi (`host: "0.0.0.0"`), then a password should be set.
 */
export const uiFormBytesMax = 16 * 1024;

export const uiConfigSchema = z
  .object({
    host: z.string().min(1).default('127.0.0.1'),
    port: z.number().int().min(0).max(65_535).default(8081),
    /** Optional: when set, every page asks for it once (a cookie keeps the session). */
    password: z.string().min(8, 'at least 8 characters').max(200).optional(),
    /** GTIN-14 of the product the farm commissions items of. */
    gtin: z
      .string()
      .regex(/^\d{14}$/, 'a GTIN-14 (14 digits)')
      .refine(hasValidCheckDigit, 'wrong GTIN check digit'),
    companyPrefixLength: z.number().int().min(6).max(12),
    /** Resolver for the QR labels' GS1 Digital Links. */
    resolverBase: z.url({ protocol: /^https?$/ }).default('https://id.gs1.org'),
    /** SGLN GLN of the farm (13 digits); plots become its extensions. */
    farmGln: z
      .string()
      .regex(/^\d{13}$/, 'a GLN (13 digits)')
      .refine(hasValidCheckDigit, 'wrong GLN check digit'),
  })
  .strict();

export type UiConfig = z.infer<typeof uiConfigSchema>;
