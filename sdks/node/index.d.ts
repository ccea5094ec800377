// Types of @statusapp/sdk. Bodies and results are the API's JSON (camelCase) as it is.

// ---------------------------------------------------------------- client

export interface ClientOptions {
  /** Defaults to the STATUSAPP_API_KEY environment variable; one of the two is required. */
  apiKey?: string;
  /** The install's root (paths are /api/...). Defaults to STATUSAPP_BASE_URL, then http://127.0.0.1:8000. */
  baseUrl?: string;
  /** Milliseconds per attempt, the body included (default 30000). */
  timeout?: number;
  /** Retries after a 429 or 503 (any method, waiting Retry-After) or a connection error (GET only). 0 turns them off; default 2. */
  maxRetries?: number;
  /** The fetch implementation (default: the global fetch). */
  fetch?: typeof fetch;
}

export interface RequestOptions {
  /** Values for the `{name}` placeholders of the path template; URL-encoded. */
  path?: Record<string, string | number>;
  /** Query parameters; undefined and null are left out, arrays repeat the key. */
  query?: Record<string, QueryValue | QueryValue[] | undefined | null>;
  /** Sent as JSON. */
  body?: unknown;
}

export type QueryValue = string | number | boolean;

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export class StatusApp {
  constructor(options?: ClientOptions);
  readonly apiKey: string;
  readonly baseUrl: string;
  readonly timeout: number;
  readonly maxRetries: number;

  readonly monitors: Monitors;
  readonly incidents: Incidents;
  readonly statusPages: StatusPages;
  readonly webhooks: Webhooks;
  readonly alertChannels: AlertChannels;
  readonly maintenances: Maintenances;
  readonly apiKeys: ApiKeys;
  readonly events: Events;

  /** One operation: `request('GET', '/api/monitors/{id}', { path: { id } })`. Resolves to the parsed JSON (undefined for 204). */
  request<T = unknown>(method: HttpMethod, template: string, options?: RequestOptions): Promise<T>;
}

export default StatusApp;

export const version: string;

// ---------------------------------------------------------------- pagination

export interface Pagination {
  page: number;
  limit: number;
  total: number;
  pages: number;
}

/** One page of a list. */
export interface Page<T> {
  data: T[];
  pagination: Pagination;
}

export interface CursorPagination {
  limit: number;
  /** Pass as `cursor` for the next (older) page; null on the last page. */
  nextCursor: string | null;
}

/** One page of a cursor-paginated list (events). */
export interface CursorPage<T> {
  data: T[];
  pagination: CursorPagination;
}

export interface PageParams {
  /** Results per page (default 20; above 100 served as 100). iterate() uses 100 unless given. */
  limit?: number;
  page?: number;
}

// ---------------------------------------------------------------- models

export type MonitorType =
  | 'http' | 'keyword' | 'tcp' | 'dns' | 'ssl' | 'heartbeat'
  | 'ping' | 'postgres' | 'mysql' | 'redis' | 'grpc' | 'smtp';
export type MonitorStatus = 'PENDING' | 'UP' | 'DEGRADED' | 'DOWN' | 'PAUSED';
export type HttpRequestMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'OPTIONS';
export type RecordType = 'A' | 'AAAA' | 'CNAME' | 'MX' | 'NS' | 'TXT';

export interface EscalationStep {
  afterMinutes: number;
  channels: string[];
}

export interface Monitor {
  id: string;
  name: string;
  type: MonitorType;
  status: MonitorStatus;
  url?: string;
  method?: HttpRequestMethod;
  headers?: Record<string, string>;
  body?: string;
  expectedStatusCodes?: string;
  followRedirects?: boolean;
  keyword?: string;
  keywordAbsent?: boolean;
  jsonPath?: string;
  jsonExpected?: string;
  sslDegradedDays?: number;
  sslDownDays?: number;
  host?: string;
  port?: number;
  recordType?: RecordType;
  expectedValues?: string[];
  resolver?: string;
  /** postgres, mysql, redis (an ACL user). */
  username?: string;
  /** postgres, mysql, redis: `'••••'` when one is set, `''` when none is; never the password itself. */
  password?: string;
  /** postgres, mysql. */
  database?: string;
  /** postgres, mysql, redis, grpc: TLS; smtp: STARTTLS (then sslDegradedDays/sslDownDays apply). */
  tls?: boolean;
  /** grpc: the service asked about; `''` asks about the whole server. */
  service?: string;
  /** ping: echo requests per check. */
  pingCount?: number;
  grace?: number;
  /** Heartbeat monitors: where to ping. */
  pingUrl?: string;
  interval: number;
  timeout: number;
  retries: number;
  degradedThreshold: number | null;
  retryInterval: number | null;
  alertChannels: string[];
  reminderInterval: number | null;
  escalation: EscalationStep[];
  dependsOn: string[];
  acknowledgedAt: string | null;
  acknowledgedBy: string | null;
  lastCheck: string | null;
  responseTime: number | null;
  uptime: number | null;
  lastError: string;
  badgeUrl: string;
  createdAt: string;
  updatedAt: string;
}

export interface MonitorCreate {
  name: string;
  type: MonitorType;
  /** Writes pause (PAUSED) or resume (ACTIVE). */
  status?: 'PAUSED' | 'ACTIVE';
  url?: string;
  method?: HttpRequestMethod;
  headers?: Record<string, string>;
  body?: string;
  expectedStatusCodes?: string;
  followRedirects?: boolean;
  keyword?: string;
  keywordAbsent?: boolean;
  jsonPath?: string;
  jsonExpected?: string;
  sslDegradedDays?: number;
  sslDownDays?: number;
  host?: string;
  port?: number;
  recordType?: RecordType;
  expectedValues?: string[];
  resolver?: string;
  /** ping, postgres, mysql, redis, grpc, smtp need `host`; grpc also `port` (the others have a default). */
  username?: string;
  /** Sending back the `'••••'` read keeps the stored password; `''` removes it. */
  password?: string;
  database?: string;
  tls?: boolean;
  service?: string;
  /** 1 to 10; 3 when left out. */
  pingCount?: number;
  grace?: number;
  interval?: number;
  timeout?: number;
  retries?: number;
  degradedThreshold?: number | null;
  retryInterval?: number | null;
  alertChannels?: string[];
  reminderInterval?: number | null;
  escalation?: EscalationStep[];
  dependsOn?: string[];
}

export type MonitorUpdate = Partial<MonitorCreate>;

export interface MonitorListParams extends PageParams {
  status?: MonitorStatus;
  category?: string;
  type?: MonitorType;
  search?: string;
}

export interface Acknowledgement {
  monitor: {
    id: string;
    status: MonitorStatus;
    acknowledgedAt: string | null;
    acknowledgedBy: string | null;
  };
}

export interface CheckResult {
  scheduledAt: string;
  startedAt: string;
  status: 'UP' | 'DEGRADED' | 'DOWN';
  responseTime: number | null;
  statusCode: number | null;
  error: string;
  inMaintenance: boolean;
}

export interface CheckListParams extends PageParams {
  status?: 'UP' | 'DEGRADED' | 'DOWN';
}

export interface UptimeWindow {
  uptime: number | null;
  checks: number;
  down: number;
  averageResponseTime: number | null;
  p95ResponseTime: number | null;
}

export interface MonitorUptime {
  monitorId: string;
  windows: { '24h': UptimeWindow; '7d': UptimeWindow; '30d': UptimeWindow; '90d': UptimeWindow };
}

export type IncidentStatus = 'INVESTIGATING' | 'IDENTIFIED' | 'MONITORING' | 'RESOLVED';
export type Impact = 'none' | 'low' | 'medium' | 'high' | 'critical';
export type ComponentStatus =
  | 'operational'
  | 'degraded_performance'
  | 'partial_outage'
  | 'major_outage'
  | 'under_maintenance';

export interface Component {
  id: string;
  name: string;
  status: ComponentStatus;
}

export interface IncidentUpdate {
  id: string;
  status: IncidentStatus;
  message: string;
  notifySubscribers: boolean;
  createdAt: string;
}

export interface Incident {
  id: string;
  title: string;
  description: string;
  status: IncidentStatus;
  impact: Impact;
  /** Monitor ids. */
  affectedComponents: string[];
  components: Component[];
  createdAt: string;
  updatedAt: string;
  resolvedAt: string | null;
  /** Seconds, once resolved. */
  duration: number | null;
}

export interface IncidentDetail extends Incident {
  /** The timeline, newest first. */
  updates: IncidentUpdate[];
}

export interface IncidentCreate {
  title: string;
  description?: string;
  status?: IncidentStatus;
  impact?: Impact;
  affectedComponents?: string[];
}

export interface IncidentChange extends Partial<IncidentCreate> {
  /** Adds a timeline entry with this message. */
  update?: string;
}

export interface IncidentUpdateCreate {
  message: string;
  status?: IncidentStatus;
  notifySubscribers?: boolean;
}

export interface IncidentListParams extends PageParams {
  status?: IncidentStatus;
  search?: string;
}

export interface StatusPage {
  id: string;
  name: string;
  slug: string;
  description: string;
  isPublic: boolean;
  hasPassword: boolean;
  notifyAutomaticIncidents: boolean;
  accentColor: string;
  customDomain: string | null;
  customDomainVerified: boolean;
  customDomainToken: string | null;
  logoUrl: string | null;
  /** Monitor ids, or groups of them as the API writes them. */
  components: unknown[];
  groups: unknown[];
  url: string;
  createdAt: string;
  updatedAt: string;
}

export interface StatusPageCreate {
  name: string;
  slug?: string;
  description?: string;
  isPublic?: boolean;
  password?: string;
  notifyAutomaticIncidents?: boolean;
  accentColor?: string;
  customDomain?: string;
  logo?: string;
  components?: unknown[];
}

export type StatusPageUpdate = Partial<StatusPageCreate>;

export interface StatusPageListParams extends PageParams {
  search?: string;
}

export interface CustomDomainCheck {
  customDomain: string | null;
  customDomainVerified: boolean;
  verifiedBy: 'dns' | 'http' | null;
  message: string;
}

export interface Subscriber {
  id: string;
  email: string;
  confirmed: boolean;
  confirmedAt: string | null;
  createdAt: string;
}

export interface SubscriberCreate {
  email: string;
  /** True for an address that already opted in: no confirmation email. */
  confirmed?: boolean;
}

export type WebhookEventType =
  | 'monitor.down'
  | 'monitor.up'
  | 'incident.created'
  | 'incident.updated'
  | 'incident.resolved';

export type DisabledReason = '' | 'user' | 'gone' | 'failing';

export interface WebhookEndpoint {
  id: string;
  url: string;
  description: string;
  events: WebhookEventType[];
  enabled: boolean;
  disabledReason: DisabledReason;
  createdAt: string;
  updatedAt: string;
}

/** The answer to create: the only time the secret is shown. */
export interface CreatedWebhookEndpoint extends WebhookEndpoint {
  secret: string;
}

export interface RotatedWebhookEndpoint extends CreatedWebhookEndpoint {
  previousSecretExpiresAt: string;
}

export interface WebhookCreate {
  url: string;
  description?: string;
  events?: WebhookEventType[];
  enabled?: boolean;
}

export type WebhookUpdate = Partial<WebhookCreate>;

export type DeliveryStatus = 'pending' | 'delivered' | 'failed' | 'cancelled';

export interface DeliveryAttempt {
  attemptedAt: string;
  statusCode: number | null;
  durationMs: number | null;
  error: string;
  response: string;
}

export interface Delivery {
  id: string;
  eventId: string;
  event: WebhookEventType | 'webhook.test';
  status: DeliveryStatus;
  attempts: number;
  nextAttemptAt: string | null;
  createdAt: string;
  finishedAt: string | null;
  attemptLog: DeliveryAttempt[];
}

export interface DeliveryDetail extends Delivery {
  /** The event body exactly as sent. */
  payload: Event;
}

export interface DeliveryListParams extends PageParams {
  status?: DeliveryStatus;
}

export type AlertChannelType =
  | 'email'
  | 'slack'
  | 'discord'
  | 'teams'
  | 'googlechat'
  | 'telegram'
  | 'pagerduty'
  | 'opsgenie'
  | 'ntfy'
  | 'pushover'
  | 'sms'
  | 'webhook'
  | 'apprise';

export type AlertEvent =
  | 'monitor.down'
  | 'monitor.up'
  | 'monitor.degraded'
  | 'ssl.expiring'
  | 'incident.created'
  | 'incident.updated'
  | 'incident.resolved';

export interface AlertChannel {
  id: string;
  name: string;
  type: AlertChannelType;
  /** The type's settings; secrets masked except in the create answer. */
  config: Record<string, unknown>;
  events: AlertEvent[];
  allMonitors: boolean;
  enabled: boolean;
  disabledReason: DisabledReason;
  createdAt: string;
  updatedAt: string;
}

export interface AlertChannelCreate {
  name: string;
  type: AlertChannelType;
  config: Record<string, unknown>;
  events?: AlertEvent[];
  allMonitors?: boolean;
  enabled?: boolean;
}

export type AlertChannelUpdate = Partial<AlertChannelCreate>;

export interface AlertChannelListParams extends PageParams {
  type?: AlertChannelType;
  enabled?: boolean;
  search?: string;
}

export interface AlertDelivery {
  id: string;
  kind: string;
  status: DeliveryStatus;
  attempts: number;
  nextAttemptAt: string | null;
  createdAt: string;
  finishedAt: string | null;
  monitor: string | null;
  attemptLog: DeliveryAttempt[];
}

export type MaintenanceStatus = 'scheduled' | 'in_progress' | 'verifying' | 'completed';

export interface Maintenance {
  id: string;
  title: string;
  description: string;
  status: MaintenanceStatus;
  startsAt: string;
  endsAt: string;
  monitors: string[];
  active: boolean;
  createdAt: string;
  updatedAt: string;
}

export interface MaintenanceCreate {
  title: string;
  description?: string;
  status?: MaintenanceStatus;
  startsAt: string;
  endsAt: string;
  monitors?: string[];
}

export type MaintenanceUpdate = Partial<MaintenanceCreate>;

export interface MaintenanceListParams extends PageParams {
  status?: MaintenanceStatus;
  search?: string;
}

export type Permission = 'read' | 'write' | 'admin';

export interface ApiKey {
  id: string;
  name: string;
  permission: Permission;
  prefix: string;
  expiresAt: string | null;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

/** The answer to create: the only time the key itself is shown. */
export interface CreatedApiKey extends ApiKey {
  key: string;
}

export interface ApiKeyCreate {
  name: string;
  permission: Permission;
  expiresAt?: string | null;
}

export interface ApiKeyListParams extends PageParams {
  search?: string;
}

/** An event as webhook receivers get it: `id`, `event`, `timestamp` and the objects it is about. */
export interface Event {
  id: string;
  event: WebhookEventType | 'webhook.test';
  timestamp: string;
  monitor?: Record<string, unknown>;
  incident?: Record<string, unknown>;
  [key: string]: unknown;
}

export interface EventListParams {
  type?: WebhookEventType;
  limit?: number;
  /** The previous page's nextCursor. */
  cursor?: string;
}

// ---------------------------------------------------------------- resources

export class Monitors {
  list(params?: MonitorListParams): Promise<Page<Monitor>>;
  iterate(params?: MonitorListParams): AsyncGenerator<Monitor, void, undefined>;
  get(id: string): Promise<Monitor>;
  create(body: MonitorCreate): Promise<Monitor>;
  update(id: string, body: MonitorUpdate): Promise<Monitor>;
  delete(id: string): Promise<void>;
  pause(id: string): Promise<Monitor>;
  resume(id: string): Promise<Monitor>;
  acknowledge(id: string): Promise<Acknowledgement>;
  checks(id: string, params?: CheckListParams): Promise<Page<CheckResult>>;
  uptime(id: string): Promise<MonitorUptime>;
}

export class Incidents {
  list(params?: IncidentListParams): Promise<Page<Incident>>;
  iterate(params?: IncidentListParams): AsyncGenerator<Incident, void, undefined>;
  get(id: string): Promise<IncidentDetail>;
  create(body: IncidentCreate): Promise<IncidentDetail>;
  update(id: string, body: IncidentChange): Promise<IncidentDetail>;
  delete(id: string): Promise<void>;
  addUpdate(id: string, body: IncidentUpdateCreate): Promise<IncidentUpdate>;
  getUpdate(id: string, updateId: string): Promise<IncidentUpdate>;
}

export class StatusPages {
  list(params?: StatusPageListParams): Promise<Page<StatusPage>>;
  iterate(params?: StatusPageListParams): AsyncGenerator<StatusPage, void, undefined>;
  get(id: string): Promise<StatusPage>;
  create(body: StatusPageCreate): Promise<StatusPage>;
  update(id: string, body: StatusPageUpdate): Promise<StatusPage>;
  delete(id: string): Promise<void>;
  verifyDomain(id: string): Promise<CustomDomainCheck>;
  listSubscribers(id: string, params?: PageParams): Promise<Page<Subscriber>>;
  addSubscriber(id: string, body: SubscriberCreate): Promise<Subscriber>;
  getSubscriber(id: string, subscriberId: string): Promise<Subscriber>;
  removeSubscriber(id: string, subscriberId: string): Promise<void>;
}

export class Webhooks {
  list(params?: PageParams): Promise<Page<WebhookEndpoint>>;
  iterate(params?: PageParams): AsyncGenerator<WebhookEndpoint, void, undefined>;
  get(id: string): Promise<WebhookEndpoint>;
  create(body: WebhookCreate): Promise<CreatedWebhookEndpoint>;
  update(id: string, body: WebhookUpdate): Promise<WebhookEndpoint>;
  delete(id: string): Promise<void>;
  test(id: string): Promise<DeliveryDetail>;
  rotateSecret(id: string): Promise<RotatedWebhookEndpoint>;
  listDeliveries(id: string, params?: DeliveryListParams): Promise<Page<Delivery>>;
  getDelivery(id: string, deliveryId: string): Promise<DeliveryDetail>;
  redeliver(id: string, deliveryId: string): Promise<DeliveryDetail>;
}

export class AlertChannels {
  list(params?: AlertChannelListParams): Promise<Page<AlertChannel>>;
  iterate(params?: AlertChannelListParams): AsyncGenerator<AlertChannel, void, undefined>;
  get(id: string): Promise<AlertChannel>;
  create(body: AlertChannelCreate): Promise<AlertChannel>;
  update(id: string, body: AlertChannelUpdate): Promise<AlertChannel>;
  delete(id: string): Promise<void>;
  test(id: string): Promise<AlertDelivery>;
  listDeliveries(id: string, params?: DeliveryListParams): Promise<Page<AlertDelivery>>;
}

export class Maintenances {
  list(params?: MaintenanceListParams): Promise<Page<Maintenance>>;
  iterate(params?: MaintenanceListParams): AsyncGenerator<Maintenance, void, undefined>;
  get(id: string): Promise<Maintenance>;
  create(body: MaintenanceCreate): Promise<Maintenance>;
  update(id: string, body: MaintenanceUpdate): Promise<Maintenance>;
  delete(id: string): Promise<void>;
}

export class ApiKeys {
  list(params?: ApiKeyListParams): Promise<Page<ApiKey>>;
  iterate(params?: ApiKeyListParams): AsyncGenerator<ApiKey, void, undefined>;
  get(id: string): Promise<ApiKey>;
  create(body: ApiKeyCreate): Promise<CreatedApiKey>;
  /** Revokes the key. */
  delete(id: string): Promise<void>;
}

export class Events {
  list(params?: EventListParams): Promise<CursorPage<Event>>;
  iterate(params?: EventListParams): AsyncGenerator<Event, void, undefined>;
  get(id: string): Promise<Event>;
}

// ---------------------------------------------------------------- errors

export class StatusAppError extends Error {}

/** The server answered with an error. */
export class APIError extends StatusAppError {
  /** The HTTP status. */
  readonly status: number;
  /** The error body's code (`invalid_request`, `unauthorized`, ...), or null when the body had none. */
  readonly code: string | null;
  readonly message: string;
  readonly details: string;
  /** Per-field messages of a validation error. */
  readonly fields: Record<string, string[]>;
  readonly headers: Headers;
}

/** 400 */
export class ValidationError extends APIError {}
/** 401 */
export class AuthenticationError extends APIError {}
/** 403 */
export class PermissionDeniedError extends APIError {}
/** 404 */
export class NotFoundError extends APIError {}
/** 429 */
export class RateLimitError extends APIError {
  /** Seconds to wait (Retry-After), or null when the server named none. */
  readonly retryAfter: number | null;
}

/** No answer: the connection was refused or broken, or the request timed out. */
export class APIConnectionError extends StatusAppError {}

export class WebhookVerificationError extends StatusAppError {}

// ---------------------------------------------------------------- webhooks

/** The raw request body as received (a Buffer is a Uint8Array). */
export type RawBody = string | Uint8Array | ArrayBuffer;

export type WebhookHeaders =
  | Headers
  | Record<string, string | string[] | undefined>;

/** The API guide's check: `signature` (X-StatusApp-Signature) is the hex HMAC-SHA256 of the raw body keyed with `secret`. */
export function verifySignature(body: RawBody, signature: string | null | undefined, secret: string): boolean;

/** Standard Webhooks verification with a 5-minute replay window. */
export class Webhook {
  /** @param secret the endpoint's `whsec_…` secret */
  constructor(secret: string);
  /** The parsed payload; throws WebhookVerificationError when the headers do not sign the raw body. */
  verify<T = Event>(body: RawBody, headers: WebhookHeaders): T;
}
