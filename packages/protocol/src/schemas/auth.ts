import { z } from 'zod';
import { Timestamp } from './common.js';
import { DisplayName, Username } from './names.js';
import { Scope, ScopeList } from './scopes.js';

/** super_admin: the whole fleet. org_admin: one organization. member: use, not administer. */
export const Role = z.enum(['super_admin', 'org_admin', 'member']);
export type Role = z.infer<typeof Role>;

export const Organization = z.object({
  id: z.string(),
  name: z.string(),
  created_at: Timestamp,
});
export type Organization = z.infer<typeof Organization>;

export const CreateOrgReq = z.strictObject({ name: DisplayName });

export const User = z.object({
  id: z.string(),
  username: z.string(),
  role: Role,
  org_id: z.string().nullable(),
  created_at: Timestamp,
  disabled: z.boolean(),
});
export type User = z.infer<typeof User>;

export const Password = z.string().min(12, 'must be at least 12 characters').max(1024);

export const CreateUserReq = z.strictObject({
  username: Username,
  password: Password,
  role: Role.default('member'),
  org_id: z.string().optional(),
});
export type CreateUserReq = z.infer<typeof CreateUserReq>;

export const UpdateUserReq = z.strictObject({
  password: Password.optional(),
  role: Role.optional(),
  disabled: z.boolean().optional(),
});

export const LoginReq = z.strictObject({
  username: z.string().min(1).max(64),
  password: z.string().min(1).max(1024),
});
export type LoginReq = z.infer<typeof LoginReq>;

export const LoginResp = z.object({
  token: z.string(),
  expires_at: Timestamp,
  user: User,
});
export type LoginResp = z.infer<typeof LoginResp>;

/** `GET /v1/auth/whoami`. */
export const WhoAmI = z.object({
  via: z.enum(['session', 'api_key', 'localhost']),
  user: User.nullable(),
  role: Role,
  org: Organization.nullable(),
  api_key_id: z.string().nullable(),
  /** What the credential is limited to (null: every scope its role allows). */
  scopes: z.array(Scope).nullable(),
});
export type WhoAmI = z.infer<typeof WhoAmI>;

/** Controller API keys: `apy_` + 40 base32 characters. Shown once, stored hashed. */
export const ApiKey = z.object({
  id: z.string(),
  name: z.string(),
  prefix: z.string(),
  /** The most the key can do; it never does more than its user's current role. */
  role: Role,
  /** What the key may touch (`SCOPES`); null: every scope. */
  scopes: z.array(Scope).nullable(),
  org_id: z.string().nullable(),
  user_id: z.string().nullable(),
  created_at: Timestamp,
  expires_at: Timestamp.nullable(),
  revoked_at: Timestamp.nullable(),
  last_used_at: Timestamp.nullable(),
});
export type ApiKey = z.infer<typeof ApiKey>;

export const CreateApiKeyReq = z.strictObject({
  name: z.string().min(1).max(64),
  /** Cannot exceed the creator's own role. */
  role: Role.optional(),
  org_id: z.string().optional(),
  /** Seconds until the key stops working; omitted = no expiry. */
  expires_in: z
    .int()
    .min(60)
    .max(5 * 365 * 24 * 3600)
    .optional(),
  /** Limit the key to these scopes (`SCOPES`); omitted = every scope its role allows. */
  scopes: ScopeList.optional(),
});
export type CreateApiKeyReq = z.infer<typeof CreateApiKeyReq>;

export const CreatedApiKey = ApiKey.extend({ key: z.string() });
export type CreatedApiKey = z.infer<typeof CreatedApiKey>;

/** License keys let agents self-register. Only their sha256 is stored. */
export const LicenseKey = z.object({
  id: z.string(),
  name: z.string(),
  prefix: z.string(),
  /** Hosts registering with this key join this organization. */
  org_id: z.string().nullable(),
  created_at: Timestamp,
  revoked_at: Timestamp.nullable(),
  hosts: z.int().min(0),
});
export type LicenseKey = z.infer<typeof LicenseKey>;

export const CreateLicenseKeyReq = z.strictObject({
  name: z.string().min(1).max(64),
  org_id: z.string().optional(),
});

export const CreatedLicenseKey = LicenseKey.extend({ key: z.string() });
export type CreatedLicenseKey = z.infer<typeof CreatedLicenseKey>;
