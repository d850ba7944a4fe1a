/** Types of the parley API's JSON objects (docs/ARCHITECTURE.md). */
import type { ProblemCode } from "./errors";

export type Role = "user" | "admin";

export interface User {
  id: string;
  email: string;
  name: string;
  role: Role;
  disabled: boolean;
  daily_token_quota: number | null;
  created_at: string;
  updated_at: string;
}

export interface AuthAnswer {
  user: User;
  access_token: string;
  refresh_token: string;
  token_type: string;
  expires_in: number;
}

export interface Problem {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  /** One of the API's problem codes (lib/errors.ts). */
  code?: ProblemCode;
  request_id?: string;
  errors?: { field: string; message: string }[];
  retry_after?: number;
}

export interface Conversation {
  id: string;
  title: string;
  model: string;
  /** The folder it is filed in (GET /folders), or null. */
  folder_id?: string | null;
  pinned?: boolean;
  archived?: boolean;
  created_at: string;
  updated_at: string;
  messages?: Message[];
}

/** ConversationPatch is what the sidebar changes with PATCH /conversations/{id}. */
export interface ConversationPatch {
  title?: string;
  folder_id?: string | null;
  pinned?: boolean;
  archived?: boolean;
}

export interface Folder {
  id: string;
  name: string;
  created_at: string;
  updated_at: string;
}

/** SearchHit is one answer of GET /search: a message (or, message_id null, a title) holding every word. */
export interface SearchHit {
  conversation_id: string;
  message_id: string | null;
  title: string;
  /** HTML: the matched words in <mark>…</mark>, everything else escaped. */
  snippet: string;
  created_at: string;
}

export interface Message {
  id: string;
  conversation_id: string;
  role: "user" | "assistant" | "system";
  content: string;
  model: string;
  status: "complete" | "partial" | "error";
  prompt_tokens: number;
  completion_tokens: number;
  created_at: string;
}

export interface List<T> {
  data: T[];
  next_cursor: string | null;
}

export interface ModelInfo {
  id: string;
  owned_by: string;
  context_window: number;
  max_completion_tokens: number;
}

export interface Models {
  data: ModelInfo[];
  default_model: string;
  configured: boolean;
}

export interface ApiToken {
  id: string;
  name: string;
  prefix: string;
  token?: string;
  created_at: string;
  expires_at: string | null;
}

export interface Usage {
  day: string;
  quota: number | null;
  used: number;
  remaining: number | null;
  resets_at: string;
  by_model: { model: string; requests: number; prompt_tokens: number; completion_tokens: number }[];
}

export interface KeyBudget {
  model: string;
  requests_remaining: number | null;
  requests_limit: number | null;
  requests_reset_at: string | null;
  tokens_remaining: number | null;
  tokens_limit: number | null;
  tokens_reset_at: string | null;
  cooling_until: string | null;
}

export interface PoolKey {
  fingerprint: string;
  org: string;
  org_source: "declared" | "learned" | "unknown";
  state: "active" | "cooling" | "dead";
  dead_reason: string | null;
  cooldown_until: string | null;
  budgets: KeyBudget[];
}

/** AuditEntry is one row of GET /admin/audit (docs/ARCHITECTURE.md). */
export interface AuditEntry {
  id: string;
  at: string;
  user_id: string | null;
  action: string;
  method: string;
  route: string;
  status: number;
  /** The client address the API derived (X-Forwarded-For as far as its trusted proxies go). */
  client_ip: string;
  user_agent: string;
  request_id: string;
  latency_ms: number;
  target: string | null;
  detail: Record<string, unknown> | null;
}

export interface Status {
  status: "operational" | "degraded" | "outage";
  started_at: string;
  uptime_seconds: number;
  components: { name: string; status: string; detail: string }[];
  incidents: {
    id: string;
    component: string;
    status: string;
    title: string;
    started_at: string;
    resolved_at: string | null;
  }[];
}
