import { z } from 'zod';

/** A Secret Manager secret id (not a resource name): letters, digits, `_` and `-`, at most 255. */
export const secretIdSchema = z.string().regex(/^[A-Za-z0-9_-]{1,255}$/, 'not a Secret Manager secret id');
