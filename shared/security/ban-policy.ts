import { BlockList, isIP } from 'node:net';
import { z } from 'zod';
import { OptionsError } from '../contracts/validation-error';
import { SECURITY_EVENT_KINDS, SUBJECT_TYPES, type SecurityEventKind } from '../contracts/vocabulary';

/** What a ban applies to. */
export type SubjectType = (typeof SUBJECT_TYPES)[number];

export interface Subject {
  type: SubjectType;
  value: string;
}

const seconds = z.number().int().positive();

/** fail2ban's jail settings, plus escalation and a recidive jail. */
export const banPolicySchema = z.strictObject({
  /** Failures within `findtimeSeconds` that earn a ban. */
  maxretry: z.number().int().positive(),
  findtimeSeconds: seconds,
  /** First ban's length; each further ban multiplies it by `factor`, up to `maxBantimeSeconds`. */
  bantimeSeconds: seconds,
  factor: z.number().min(1),
  maxBantimeSeconds: seconds,
  /** fail2ban's recidive jail: this many bans within its findtime earn its (long) bantime. */
  recidive: z.strictObject({ maxretry: z.number().int().positive(), findtimeSeconds: seconds, bantimeSeconds: seconds }),
  /** Event kinds that count as failures. */
  countedKinds: z.array(z.enum(SECURITY_EVENT_KINDS)).min(1),
  /** Never banned: IPs or CIDR ranges, and user ids. */
  allowList: z.strictObject({
    ips: z.array(z.string().refine((v) => parseCidr(v) !== undefined, 'an IP address or CIDR range')).default([]),
    users: z.array(z.string().min(1)).default([]),
  }),
});
export type BanPolicy = z.infer<typeof banPolicySchema>;

/** fail2ban's defaults (maxretry 5, findtime 10 min, bantime 10 min) with escalation and recidive. */
export const DEFAULT_BAN_POLICY: BanPolicy = {
  maxretry: 5,
  findtimeSeconds: 600,
  bantimeSeconds: 600,
  factor: 2,
  maxBantimeSeconds: 7 * 86_400,
  recidive: { maxretry: 3, findtimeSeconds: 86_400, bantimeSeconds: 7 * 86_400 },
  countedKinds: ['AUTHENTICATION_FAILURE', 'AUTHORIZATION_FAILURE', 'RATE_LIMIT_EXCEEDED', 'INVALID_INPUT', 'SUSPICIOUS_ACTIVITY'],
  allowList: { ips: ['127.0.0.1/32', '::1/128'], users: [] },
};

export function parseBanPolicy(value: unknown): BanPolicy {
  const parsed = banPolicySchema.safeParse(value);
  if (!parsed.success) throw OptionsError.fromZod(parsed.error);
  return parsed.data;
}

function parseCidr(text: string): { address: string; prefix: number; family: 'ipv4' | 'ipv6' } | undefined {
  const [address = '', prefixText] = text.split('/');
  const version = isIP(address);
  if (version === 0) return undefined;
  const max = version === 4 ? 32 : 128;
  const prefix = prefixText === undefined ? max : Number(prefixText);
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > max) return undefined;
  return { address, prefix, family: version === 4 ? 'ipv4' : 'ipv6' };
}

/** The allow-list as a BlockList (Node's CIDR matcher), built once per policy. */
const allowLists = new WeakMap<BanPolicy, BlockList>();

export function isAllowListed(policy: BanPolicy, subject: Subject): boolean {
  if (subject.type === 'user') return policy.allowList.users.includes(subject.value);
  let list = allowLists.get(policy);
  if (!list) {
    list = new BlockList();
    for (const entry of policy.allowList.ips) {
      const cidr = parseCidr(entry);
      if (cidr) list.addSubnet(cidr.address, cidr.prefix, cidr.family);
    }
    allowLists.set(policy, list);
  }
  const version = isIP(subject.value);
  return version !== 0 && list.check(subject.value, version === 4 ? 'ipv4' : 'ipv6');
}

export function countsAsFailure(policy: BanPolicy, kind: SecurityEventKind): boolean {
  return policy.countedKinds.includes(kind);
}

/** A subject's ban record: the active ban, if any, and the history escalation needs. */
export interface BanHistory {
  /** Earlier ban start times (ms), newest last. */
  bans: number[];
}

export interface BanDecision {
  level: 'ban' | 'recidive';
  durationSeconds: number;
  /** 1 for a first ban, 2 for the second… */
  offense: number;
}

/**
 * Whether `failures` counted within the find time earn a ban now, and for how long: bantime ×
 * factor^(earlier bans), capped — or the recidive jail's bantime once bans repeat within its
 * find time. Allow-listed subjects are never banned.
 */
export function decideBan(policy: BanPolicy, subject: Subject, failures: number, history: BanHistory, now: number): BanDecision | undefined {
  if (isAllowListed(policy, subject) || failures < policy.maxretry) return undefined;
  const offense = history.bans.length + 1;
  const recentBans = history.bans.filter((t) => t > now - policy.recidive.findtimeSeconds * 1000).length + 1;
  if (recentBans >= policy.recidive.maxretry) {
    return { level: 'recidive', durationSeconds: policy.recidive.bantimeSeconds, offense };
  }
  const escalated = policy.bantimeSeconds * policy.factor ** (offense - 1);
  return { level: 'ban', durationSeconds: Math.min(policy.maxBantimeSeconds, Math.round(escalated)), offense };
}

/** The subjects an event is about (an IP and/or a user). */
export function subjectsOf(payload: { ip?: string; userId?: string }): Subject[] {
  return [...(payload.ip ? [{ type: 'ip' as const, value: payload.ip }] : []), ...(payload.userId ? [{ type: 'user' as const, value: payload.userId }] : [])];
}

/** A document-id-safe key for a subject. */
export function subjectKey(subject: Subject): string {
  return `${subject.type}_${encodeURIComponent(subject.value).replace(/\./g, '%2E')}`;
}
