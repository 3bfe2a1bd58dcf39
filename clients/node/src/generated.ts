// The local API of cxone-chatd as TypeScript, generated from protocol/openrpc.json by
// scripts/generate.mjs. Do not edit: run `npm run generate` (the tests fail when it is stale).
/* eslint-disable */

import { RpcError } from "./errors.js";

/** The version of the OpenRPC document this file was generated from. */
export const API_VERSION = "0.1.0";

/**
 * An agent (or bot) of the contact centre.
 */
export type Agent = {
  /**
   * First name.
   */
  firstName: string;
  /**
   * The agent's numeric id.
   */
  id: number;
  /**
   * URL of the agent's picture.
   */
  imageUrl?: (string | null);
  /**
   * Whether this "agent" is a bot.
   */
  isBot: boolean;
  /**
   * Last name.
   */
  lastName: string;
  /**
   * Nickname, when the agent has one; show it instead of the names.
   */
  nickname?: (string | null);
};

/**
 * `agent.assigned`.
 */
export type AgentAssigned = {
  /**
   * The agent now handling it; absent when it was unassigned.
   */
  agent?: (Agent | null);
  /**
   * The agent who handled it before, if any.
   */
  previousAgent?: (Agent | null);
  /**
   * The thread.
   */
  threadId: string;
};

/**
 * `agent.typing`.
 */
export type AgentTyping = {
  /**
   * The agent, when known.
   */
  agent?: (Agent | null);
  /**
   * Whether the agent is typing now.
   */
  isTyping: boolean;
  /**
   * The thread.
   */
  threadId: string;
};

/**
 * A file attached to a message.
 */
export type Attachment = {
  /**
   * The file name to show and save under.
   */
  fileName: string;
  /**
   * Its MIME type.
   */
  mimeType: string;
  /**
   * Where to download it.
   */
  url: string;
};

/**
 * A file to send with `thread.send`: a path the daemon can read, or the bytes inline.
 *
 * Prefer `path` for large files (lines have a maximum length). The path must be readable by the
 * daemon's user, so under a systemd sandbox use a directory both can see, not a private `/tmp`.
 */
export type AttachmentInput = ({
  /**
   * The name to show; the path's file name when left out.
   */
  fileName?: (string | null);
  /**
   * The MIME type; guessed from the extension when left out.
   */
  mimeType?: (string | null);
  /**
   * Absolute path of the file.
   */
  path: string;
} | {
  /**
   * The bytes, base64-encoded (standard alphabet, padding optional).
   */
  data: string;
  /**
   * The name to show.
   */
  fileName: string;
  /**
   * The MIME type.
   */
  mimeType: string;
});

/**
 * What the channel allows for attachments.
 */
export type AttachmentPolicy = {
  /**
   * Accepted MIME types; `type/*` wildcards allowed.
   */
  allowedMimeTypes: string[];
  /**
   * Whether attachments may be sent at all.
   */
  enabled: boolean;
  /**
   * The largest file accepted, in bytes.
   */
  maxSizeBytes: number;
};

/**
 * How customers of the channel are identified.
 */
export type AuthenticationKind = ("anonymous" | "oauth" | "securedCookie");

/**
 * Who wrote a message.
 */
export type Author = ({
  type: "agent";
} & Agent | {
  type: "customer";
} & CustomerAuthor);

/**
 * The answer of `session.availability`.
 */
export type Availability = {
  /**
   * Whether an agent is available: `session.connect` on a live-chat channel answers `offline` while
   * this is false.
   */
  online: boolean;
};

/**
 * Facts about a prepared session's channel, from its configuration.
 */
export type ChannelInfo = {
  /**
   * Attachment rules.
   */
  attachments: AttachmentPolicy;
  /**
   * How customers are identified.
   */
  authentication: AuthenticationKind;
  /**
   * The CXone brand (tenant) id.
   */
  brandId: number;
  /**
   * The channel id, e.g. `chat_51eafb4e-…`.
   */
  channelId: string;
  /**
   * Whether the channel has a pre-chat survey (`threads.preChatSurvey`).
   */
  hasPreChatSurvey: boolean;
  /**
   * Live chat only: whether an agent was available at the last check.
   */
  liveChatAvailable?: (boolean | null);
  /**
   * Whether the channel offers the offline form while no agent is available
   * (`session.sendOfflineMessage`; the channel's `liveChatShowOfflineForm`).
   */
  offlineForm: boolean;
  /**
   * Whether `thread.sendTranscript` is allowed.
   */
  transcriptAllowed: boolean;
};

/**
 * How the channel organises conversations.
 */
export type ChatMode = ("singlethread" | "multithread" | "livechat");

/**
 * The chat state of a session, as the CXone SDKs define it.
 *
 * `initial → preparing → prepared → (offline) → connecting → connected → ready → closed`.
 * Analytics work from `prepared` on; chat calls need `connected`, `ready` or `closed`.
 */
export type ChatState = ("initial" | "preparing" | "prepared" | "offline" | "connecting" | "connected" | "ready" | "closed");

/**
 * `chat.stateChanged`.
 */
export type ChatStateChanged = {
  /**
   * The chat mode, once the channel is known.
   */
  mode?: (ChatMode | null);
  /**
   * The state before.
   */
  previous: ChatState;
  /**
   * The new state.
   */
  state: ChatState;
};

/**
 * One connected client.
 */
export type ClientStatus = {
  /**
   * The connection's id, as in the daemon's log.
   */
  id: number;
  /**
   * Calls it has in progress.
   */
  pendingRequests: number;
  /**
   * The peer's process id, when the socket tells.
   */
  pid?: (number | null);
  /**
   * Messages waiting to be written to it.
   */
  queuedMessages: number;
  /**
   * Its event subscriptions.
   */
  subscriptions: number;
  /**
   * The peer's user id, when the socket tells.
   */
  uid?: (number | null);
};

/**
 * `connection.lost`.
 */
export type ConnectionLost = {
  /**
   * The reconnection attempt about to be made (1 for the first).
   */
  attempt: number;
  /**
   * Why, for people and logs.
   */
  reason: string;
  /**
   * Whether the daemon is reconnecting by itself. When false it gave up: call `session.connect` to
   * try again.
   */
  reconnecting: boolean;
  /**
   * The delay before that attempt, in milliseconds.
   */
  retryInMs?: (number | null);
};

/**
 * `connection.restored`.
 */
export type ConnectionRestored = {
  /**
   * How many attempts it took.
   */
  attempts: number;
  /**
   * How long the connection was down, in milliseconds.
   */
  downtimeMs: number;
};

/**
 * The state of a session's connection to the CXone back end.
 */
export type ConnectionState = ("disconnected" | "connecting" | "connected" | "reconnecting");

/**
 * A contact (case): one episode of a thread in the contact centre.
 */
export type Contact = {
  /**
   * The contact id.
   */
  id: string;
  /**
   * Its status.
   */
  status: ContactStatus;
};

/**
 * The status of a contact (case) in the contact centre.
 */
export type ContactStatus = ("new" | "open" | "pending" | "escalated" | "resolved" | "closed" | "trashed" | "unknown");

/**
 * `contact.status`.
 */
export type ContactStatusChanged = {
  /**
   * The contact (case) id.
   */
  contactId: string;
  /**
   * Its new status.
   */
  status: ContactStatus;
  /**
   * The thread.
   */
  threadId: string;
};

/**
 * A countdown.
 */
export type Countdown = {
  /**
   * How long it runs, in seconds.
   */
  seconds: number;
  /**
   * When it started.
   */
  startedAt: string;
};

/**
 * Explicit back-end endpoints.
 */
export type CustomEnvironment = {
  /**
   * The chat REST base, ending in `/chat` (e.g. `https://channels-de-na1.niceincontact.com/chat`).
   */
  chatUrl: string;
  /**
   * The WebSocket gateway (e.g. `wss://chat-gateway-de-na1.niceincontact.com`).
   */
  socketUrl: string;
  /**
   * The OAuth / transaction-token base; derived from `chatUrl` when left out.
   */
  tokenUrl?: (string | null);
};

/**
 * `custom.event`.
 */
export type CustomEvent = {
  /**
   * The back end's name for the event, when it has one.
   */
  name?: (string | null);
  /**
   * The event's payload, as received.
   */
  payload: unknown;
};

/**
 * One custom field value.
 */
export type CustomField = {
  /**
   * The field's identifier, as configured in CXone.
   */
  ident: string;
  /**
   * When the value last changed, when known.
   */
  updatedAt?: (string | null);
  /**
   * The value (for list and tree fields, the chosen option's id).
   */
  value: string;
};

/**
 * Whose custom fields: the customer's (all threads) or one contact's (one thread).
 */
export type CustomFieldScope = ("customer" | "contact");

/**
 * The custom fields after a change.
 */
export type CustomFieldsResult = {
  /**
   * Every field now set.
   */
  customFields: CustomField[];
};

/**
 * `customFields.set`.
 */
export type CustomFieldsSet = {
  /**
   * The fields that were set.
   */
  customFields: CustomField[];
  /**
   * Whose fields.
   */
  scope: CustomFieldScope;
  /**
   * The thread, for contact fields.
   */
  threadId?: (string | null);
};

/**
 * The customer of a session.
 */
export type Customer = {
  /**
   * Whether the customer logged in through the channel's identity provider.
   */
  authorized: boolean;
  /**
   * The customer's custom fields.
   */
  customFields: CustomField[];
  /**
   * First name, when known.
   */
  firstName?: (string | null);
  /**
   * The customer id, once known (minted at prepare, or set by the host, or given by the identity
   * provider after login).
   */
  id?: (string | null);
  /**
   * Last name, when known.
   */
  lastName?: (string | null);
};

/**
 * The customer as the author of a message.
 */
export type CustomerAuthor = {
  /**
   * First name.
   */
  firstName?: (string | null);
  /**
   * The customer id.
   */
  id?: (string | null);
  /**
   * Last name.
   */
  lastName?: (string | null);
};

/**
 * Who the customer is, as the host application knows it. Every member is optional; members left
 * out keep their current value.
 */
export type CustomerIdentity = {
  /**
   * First name, shown to agents.
   */
  firstName?: (string | null);
  /**
   * The host's own customer id (e.g. a loyalty number). Only taken before the first prepare; the
   * daemon mints a UUID otherwise.
   */
  id?: (string | null);
  /**
   * Last name, shown to agents.
   */
  lastName?: (string | null);
};

/**
 * The result of `daemon.info`.
 */
export type DaemonInfoResult = {
  /**
   * Optional features this daemon has, e.g. `batch`, `events.poll`, `attachments.path`.
   */
  capabilities: string[];
  /**
   * The limits a client must stay within.
   */
  limits: Limits;
  /**
   * Always `cxone-chatd`.
   */
  name: string;
  /**
   * The local API's version (semver); within one major version changes are additive.
   */
  protocolVersion: string;
  /**
   * The daemon's version.
   */
  version: string;
};

/**
 * The result of `daemon.setLogLevel`.
 */
export type DaemonSetLogLevelResult = {
  /**
   * The log filter now in force, in `tracing` env-filter syntax (e.g.
   * `info,cxone_chatd::gateway=debug`).
   */
  filter: string;
};

/**
 * `daemon.shutdown`.
 */
export type DaemonShutdown = {
  /**
   * How long the daemon keeps finishing calls before it closes connections, in milliseconds.
   */
  graceMs: number;
  /**
   * Whether the daemon is coming back.
   */
  reason: ShutdownReason;
};

/**
 * The daemon's life-cycle state.
 */
export type DaemonState = ("starting" | "ready" | "draining");

/**
 * The result of `daemon.status`.
 */
export type DaemonStatusResult = {
  /**
   * Every connected client.
   */
  clients: ClientStatus[];
  /**
   * The event stream.
   */
  events: EventStreamStatus;
  /**
   * Whether the daemon serves every method (the same as `state == "ready"`).
   */
  ready: boolean;
  /**
   * Every session.
   */
  sessions: SessionStatus[];
  /**
   * The daemon's life-cycle state.
   */
  state: DaemonState;
  /**
   * Time since start, in milliseconds.
   */
  uptimeMs: number;
};

/**
 * The result of methods that have nothing to return: `{}`.
 */
export type Empty = Record<string, unknown>;

/**
 * The back end of a session: `"EU1"`, or `{"chatUrl": …, "socketUrl": …, "tokenUrl"?: …}`.
 */
export type Environment = (EnvironmentName | CustomEnvironment);

/**
 * CXone's named environments, as the mobile SDKs ship them.
 */
export type EnvironmentName = ("NA1" | "EU1" | "AU1" | "CA1" | "UK1" | "JP1");

/**
 * Every error code the daemon can answer with: −32700 … −32603 protocol, −32001 … −32004 server,
 * 1000 … 1999 authorization, 2000 … 2999 back end, 3000 … 3999 chat.
 *
 * Serialized as its stable camelCase name, which is also `error.data.kind`.
 */
export type ErrorCode = ("parseError" | "invalidRequest" | "methodNotFound" | "invalidParams" | "internalError" | "daemonNotReady" | "peerNotAuthorized" | "overloaded" | "requestCancelled" | "storageFull" | "storageUnavailable" | "storageDamaged" | "authorizationRequired" | "authorizationFailed" | "tokenExpired" | "tokenRefreshFailed" | "backendUnavailable" | "backendRejected" | "timeout" | "channelUnavailable" | "versionNotSupported" | "unknownSession" | "notPrepared" | "notConnected" | "illegalChatState" | "sessionConflict" | "unsupportedInMode" | "featureDisabled" | "chatOffline" | "invalidParameter" | "unknownThread" | "threadClosed" | "illegalThreadState" | "noMoreMessages" | "preChatSurveyIncomplete" | "attachmentRejected");

/**
 * The `data` member of every error from cxone-chatd. Always an object.
 *
 * Clients branch on `kind` and `retryable`; the optional members say more when they apply.
 */
export type ErrorData = {
  /**
   * The error code the CXone back end answered with (e.g. `SendingMessageFailed`).
   */
  backendCode?: (string | null);
  /**
   * The HTTP status the CXone back end answered with.
   */
  backendStatus?: (number | null);
  /**
   * An id the daemon also writes to its log with this error, to match a report to the journal.
   */
  correlationId?: (string | null);
  /**
   * The specifics of this occurrence, for people and logs; not meant to be parsed.
   */
  detail?: (string | null);
  /**
   * The parameter at fault, as a path into `params` (e.g. `threadId`, `attachments[0].path`).
   */
  field?: (string | null);
  /**
   * The error's stable name (e.g. `threadClosed`), one per code.
   */
  kind: ErrorCode;
  /**
   * The limit that was exceeded, with `reason` (bytes for a line, items for a batch).
   */
  limit?: (number | null);
  /**
   * The machine-readable cause of a framing or batch error.
   */
  reason?: (ErrorReason | null);
  /**
   * Whether repeating the same call later, unchanged, may succeed.
   */
  retryable: boolean;
};

/**
 * `error`.
 */
export type ErrorEvent = {
  /**
   * What failed and what to do.
   */
  error: ErrorObject;
  /**
   * The thread concerned, if any.
   */
  threadId?: (string | null);
};

/**
 * The JSON-RPC `error` member of a response; `data` is always present.
 */
export type ErrorObject = {
  /**
   * The numeric code (see the error table).
   */
  code: number;
  /**
   * Machine-readable details; always an object.
   */
  data: ErrorData;
  /**
   * A sentence saying what went wrong and what to do about it.
   */
  message: string;
};

/**
 * Why a line or batch was refused before any method ran.
 *
 * The values are short phrases rather than identifiers because they are read in logs and terminals
 * as often as by programs; they never change once published.
 */
export type ErrorReason = ("line too long" | "invalid utf-8" | "empty batch" | "batch too long" | "params by position");

/**
 * One event, as pushed in `events.event` and returned by `events.poll`.
 */
export type Event = {
  /**
   * The daemon run (UUID v7) the event belongs to.
   */
  epoch: string;
  /**
   * Its position in the stream (see the module docs).
   */
  seq: number;
  /**
   * The session it concerns; `null` for daemon-wide events (always present).
   */
  session: (string | null);
} & ({
  data: ChatStateChanged;
  kind: "chat.stateChanged";
} | {
  data: ConnectionLost;
  kind: "connection.lost";
} | {
  data: ConnectionRestored;
  kind: "connection.restored";
} | {
  data: ThreadUpdated;
  kind: "thread.updated";
} | {
  data: ThreadsUpdated;
  kind: "threads.updated";
} | {
  data: MessageCreated;
  kind: "message.created";
} | {
  data: MessageUpdated;
  kind: "message.updated";
} | {
  data: AgentTyping;
  kind: "agent.typing";
} | {
  data: AgentAssigned;
  kind: "agent.assigned";
} | {
  data: QueuePosition;
  kind: "queue.position";
} | {
  data: ContactStatusChanged;
  kind: "contact.status";
} | {
  data: ProactiveActionFired;
  kind: "proactive.action";
} | {
  data: CustomEvent;
  kind: "custom.event";
} | {
  data: CustomFieldsSet;
  kind: "customFields.set";
} | {
  data: TokenRefreshFailed;
  kind: "token.refreshFailed";
} | {
  data: ErrorEvent;
  kind: "error";
} | {
  data: EventsLagged;
  kind: "events.lagged";
} | {
  data: ResyncRequired;
  kind: "events.resyncRequired";
} | {
  data: DaemonShutdown;
  kind: "daemon.shutdown";
});

/**
 * A position in the event stream: "everything after event `seq` of daemon run `epoch`".
 */
export type EventCursor = {
  /**
   * The daemon run (UUID v7) the `seq` belongs to.
   */
  epoch: string;
  /**
   * The last event already handled; delivery resumes strictly after it.
   */
  seq: number;
};

/**
 * Every kind of event (`events.event.kind`), serialized as its name.
 */
export type EventKind = ("chat.stateChanged" | "connection.lost" | "connection.restored" | "thread.updated" | "threads.updated" | "message.created" | "message.updated" | "agent.typing" | "agent.assigned" | "queue.position" | "contact.status" | "proactive.action" | "custom.event" | "customFields.set" | "token.refreshFailed" | "error" | "events.lagged" | "events.resyncRequired" | "daemon.shutdown");

/**
 * The params of an `events.event` notification.
 */
export type EventNotification = {
  /**
   * The daemon run (UUID v7) the event belongs to.
   */
  epoch: string;
  /**
   * Its position in the stream (see the module docs).
   */
  seq: number;
  /**
   * The session it concerns; `null` for daemon-wide events (always present).
   */
  session: (string | null);
  /**
   * The subscription that asked for it.
   */
  subscription: SubscriptionId;
} & ({
  data: ChatStateChanged;
  kind: "chat.stateChanged";
} | {
  data: ConnectionLost;
  kind: "connection.lost";
} | {
  data: ConnectionRestored;
  kind: "connection.restored";
} | {
  data: ThreadUpdated;
  kind: "thread.updated";
} | {
  data: ThreadsUpdated;
  kind: "threads.updated";
} | {
  data: MessageCreated;
  kind: "message.created";
} | {
  data: MessageUpdated;
  kind: "message.updated";
} | {
  data: AgentTyping;
  kind: "agent.typing";
} | {
  data: AgentAssigned;
  kind: "agent.assigned";
} | {
  data: QueuePosition;
  kind: "queue.position";
} | {
  data: ContactStatusChanged;
  kind: "contact.status";
} | {
  data: ProactiveActionFired;
  kind: "proactive.action";
} | {
  data: CustomEvent;
  kind: "custom.event";
} | {
  data: CustomFieldsSet;
  kind: "customFields.set";
} | {
  data: TokenRefreshFailed;
  kind: "token.refreshFailed";
} | {
  data: ErrorEvent;
  kind: "error";
} | {
  data: EventsLagged;
  kind: "events.lagged";
} | {
  data: ResyncRequired;
  kind: "events.resyncRequired";
} | {
  data: DaemonShutdown;
  kind: "daemon.shutdown";
});

/**
 * The state of the event stream.
 */
export type EventStreamStatus = {
  /**
   * Events held in the replay buffer.
   */
  buffered: number;
  /**
   * The replay buffer's capacity.
   */
  capacity: number;
  /**
   * This daemon run's epoch.
   */
  epoch: string;
  /**
   * The `seq` of the newest event (0 before the first).
   */
  seq: number;
};

/**
 * `events.lagged`.
 */
export type EventsLagged = {
  /**
   * How many events were dropped for this subscriber.
   */
  dropped: number;
  /**
   * Whether the daemon ended the subscription (subscribe again with `since`).
   */
  unsubscribed: boolean;
};

/**
 * The result of `events.poll`.
 */
export type EventsPollResult = {
  /**
   * The events, oldest first; empty when the wait timed out.
   */
  events: Event[];
  /**
   * Pass this as `since` in the next call.
   */
  next: EventCursor;
};

/**
 * The result of `events.subscribe`.
 */
export type EventsSubscribeResult = {
  /**
   * This daemon run's epoch.
   */
  epoch: string;
  /**
   * The newest event's `seq` when the subscription started: replayed events are at most this, live
   * ones greater.
   */
  seq: number;
  /**
   * The subscription's id, carried by each of its `events.event` notifications.
   */
  subscription: SubscriptionId;
};

/**
 * The result of `events.unsubscribe`.
 */
export type EventsUnsubscribeResult = {
  /**
   * Whether the subscription existed on this connection (false makes a repeated call harmless).
   */
  unsubscribed: boolean;
};

/**
 * The live-chat inactivity prompt.
 */
export type InactivityPopup = {
  /**
   * The paragraphs of the prompt, in order.
   */
  body: string[];
  /**
   * The button that keeps the conversation open.
   */
  continueButton: PopupButton;
  /**
   * The time left to answer.
   */
  countdown: Countdown;
  /**
   * The button that ends the conversation.
   */
  endButton: PopupButton;
  /**
   * The prompt's title.
   */
  title: string;
};

/**
 * Limits a client must stay within.
 */
export type Limits = {
  /**
   * How many events the replay buffer holds.
   */
  eventBufferSize: number;
  /**
   * The most items accepted in one batch.
   */
  maxBatchLength: number;
  /**
   * The longest line accepted, in bytes, without its newline.
   */
  maxLineLength: number;
  /**
   * The longest `timeoutMs` `events.poll` honours.
   */
  maxPollTimeoutMs: number;
};

/**
 * A titled list of choices.
 */
export type ListPicker = {
  /**
   * The choices.
   */
  buttons: ReplyButton[];
  /**
   * The text under the title.
   */
  text: string;
  /**
   * The list's title.
   */
  title: string;
};

/**
 * A log level.
 */
export type LogLevel = ("off" | "error" | "warn" | "info" | "debug" | "trace");

/**
 * A picture or other file referenced by rich content.
 */
export type Media = {
  /**
   * Its file name, when known.
   */
  fileName?: (string | null);
  /**
   * Its MIME type, when known.
   */
  mimeType?: (string | null);
  /**
   * Where to download it.
   */
  url: string;
};

/**
 * One message of a thread, in either direction.
 */
export type Message = {
  /**
   * Attached files.
   */
  attachments: Attachment[];
  /**
   * Its author, when known (automated messages have none).
   */
  author?: (Author | null);
  /**
   * The message's structured content; `{"type": "text"}` for plain text.
   */
  content: MessageContent;
  /**
   * When it was created.
   */
  createdAt: string;
  /**
   * Who sent it.
   */
  direction: MessageDirection;
  /**
   * The message id (a UUID). For messages the host sent, the `clientMessageId` it chose.
   */
  id: string;
  /**
   * The postback a button press sent with this message, if any.
   */
  postback?: (string | null);
  /**
   * For anything but plain text: the back end's `messageContent` as received, so that a host can
   * render what this API does not model (plugins such as galleries, menus, satisfaction surveys,
   * adaptive cards and forms arrive as `unsupported` content with their fallback text, and whole
   * here).
   */
  rawContent?: unknown;
  /**
   * Where it is on its way.
   */
  status: MessageStatus;
  /**
   * The text to show. For rich content, its main text or the back end's fallback text; may be empty
   * for a message made only of attachments.
   */
  text: string;
  /**
   * The thread the message belongs to.
   */
  threadId: string;
};

/**
 * The structured content of a message, tagged by `type`.
 */
export type MessageContent = ({
  type: "text";
} | {
  type: "quickReplies";
} & QuickReplies | {
  type: "listPicker";
} & ListPicker | {
  type: "richLink";
} & RichLink | {
  type: "timePicker";
} & TimePicker | {
  type: "inactivityPopup";
} & InactivityPopup | {
  type: "plugin";
} & Plugin | {
  type: "unsupported";
} & UnsupportedContent);

/**
 * `message.created`.
 */
export type MessageCreated = {
  /**
   * The new message.
   */
  message: Message;
};

/**
 * The direction of a message, in the contact centre's terms.
 */
export type MessageDirection = ("inbound" | "outbound");

/**
 * Where a message is on its way. Statuses only move forward, except to `failed`.
 */
export type MessageStatus = ("queued" | "sent" | "delivered" | "seen" | "read" | "failed");

/**
 * `message.updated`.
 */
export type MessageUpdated = {
  /**
   * Why it failed, when its status is `failed`.
   */
  error?: (ErrorObject | null);
  /**
   * The message as it is now.
   */
  message: Message;
};

/**
 * A live chat's open inactivity popup: the contact centre ends the conversation at `expiresAt`
 * unless the customer keeps it going. Answer with `thread.send`, the chosen button's `text` and
 * `postback`: the daemon sends it as the SDKs do, out of the transcript, and the popup closes.
 */
export type OpenInactivityPopup = {
  /**
   * When the countdown runs out.
   */
  expiresAt: string;
  /**
   * The id of the (hidden) message that carried it.
   */
  messageId: string;
  /**
   * What it says: title, text, countdown and the two buttons.
   */
  prompt: InactivityPopup;
  /**
   * The live-chat thread.
   */
  threadId: string;
};

/**
 * A legacy plugin's element tree.
 */
export type Plugin = {
  /**
   * The top-level elements, in order.
   */
  elements: PluginElement[];
  /**
   * The text for a client that does not render it, when the back end gave one.
   */
  fallbackText?: (string | null);
  /**
   * What the plugin is: the kind of its first element.
   */
  kind: PluginElementKind;
};

/**
 * One node of a plugin: a container (`menu`, `gallery`, …) with `elements`, or a leaf (a title, a
 * text, a button, a file). Only the fields its kind uses are present.
 */
export type PluginElement = {
  /**
   * A deep link the button opens (from a `{'type':'deepLink','deepLink':…}` postback) instead of
   * answering.
   */
  deepLink?: (string | null);
  /**
   * The element's `type` on the wire (`MENU`, `IFRAME_BUTTON`, …), for `other` kinds.
   */
  elementType: string;
  /**
   * A container's children, in order.
   */
  elements?: PluginElement[];
  /**
   * A file's name.
   */
  fileName?: (string | null);
  /**
   * The element's id.
   */
  id?: (string | null);
  /**
   * What the node is.
   */
  kind: PluginElementKind;
  /**
   * A file's or a text's MIME type.
   */
  mimeType?: (string | null);
  /**
   * A button's postback: send it with the button's text (`thread.send {text, postback}`).
   */
  postback?: (string | null);
  /**
   * Its text (titles, texts, button labels).
   */
  text?: (string | null);
  /**
   * A file's or a web button's URL.
   */
  url?: (string | null);
  /**
   * A custom plugin's variables, as the agent's application defined them.
   */
  variables?: unknown;
};

/**
 * The kinds of plugin elements the SDKs (up to iOS 2.x, which typed them) know.
 */
export type PluginElementKind = ("menu" | "gallery" | "textAndButtons" | "quickReplies" | "satisfactionSurvey" | "custom" | "title" | "text" | "button" | "iframeButton" | "file" | "countdown" | "other");

/**
 * A button of the inactivity popup.
 */
export type PopupButton = {
  /**
   * The postback to send.
   */
  postback: string;
  /**
   * The label, also the text to send.
   */
  text: string;
};

/**
 * The pre-chat survey of a channel.
 */
export type PreChatSurvey = {
  /**
   * Its fields, in display order.
   */
  fields: SurveyField[];
  /**
   * The survey's name.
   */
  name: string;
};

/**
 * A proactive action pushed by the contact centre (`proactive.action`).
 */
export type ProactiveAction = {
  /**
   * The action's id (a UUID); report what happened with `analytics.proactiveAction`.
   */
  actionId: string;
  /**
   * The action's name, as configured.
   */
  actionName: string;
  /**
   * What kind of action it is.
   */
  actionType: ProactiveActionType;
  /**
   * What to show.
   */
  content: ProactiveContent;
  /**
   * Custom fields the action hands over to the customer.
   */
  customFields: CustomField[];
};

/**
 * `proactive.action`.
 */
export type ProactiveActionFired = {
  /**
   * The action.
   */
  action: ProactiveAction;
};

/**
 * What happened to a proactive action on the host's side, for `analytics.proactiveAction`.
 */
export type ProactiveActionOutcome = ("displayed" | "clicked" | "success" | "failed");

/**
 * The kinds of proactive action.
 */
export type ProactiveActionType = ("welcomeMessage" | "customPopupBox" | "inactivityPopup");

/**
 * What a proactive action shows. Welcome messages have only `bodyText`, with its placeholders
 * already filled in by the daemon.
 */
export type ProactiveContent = {
  /**
   * The main text.
   */
  bodyText?: (string | null);
  /**
   * Pop-up second headline.
   */
  headlineSecondaryText?: (string | null);
  /**
   * Pop-up headline.
   */
  headlineText?: (string | null);
  /**
   * Pop-up picture URL.
   */
  imageUrl?: (string | null);
  /**
   * The inactivity popup, for actions of that type.
   */
  inactivityPopup?: (OpenInactivityPopup | null);
  /**
   * Pop-up template variables, as configured.
   */
  variables?: Record<string, unknown>;
};

/**
 * `queue.position`.
 */
export type QueuePosition = {
  /**
   * Whether any agent of the queue is online, when the back end says.
   */
  agentsOnline?: (boolean | null);
  /**
   * Its position (1 = next).
   */
  position: number;
  /**
   * The thread waiting for an agent.
   */
  threadId: string;
};

/**
 * A question with reply buttons.
 */
export type QuickReplies = {
  /**
   * The answers to offer.
   */
  buttons: ReplyButton[];
  /**
   * The question.
   */
  text: string;
};

/**
 * One choice of a quick reply or list picker.
 */
export type ReplyButton = {
  /**
   * A second line of text (list pickers).
   */
  description?: (string | null);
  /**
   * An icon to show with the button.
   */
  icon?: (Media | null);
  /**
   * The postback to send when it is chosen.
   */
  postback?: (string | null);
  /**
   * The button's label, also the text to send when it is chosen.
   */
  text: string;
};

/**
 * Why a subscriber must re-read state.
 */
export type ResyncReason = ("epochChanged" | "tooOld");

/**
 * `events.resyncRequired`.
 */
export type ResyncRequired = {
  /**
   * The oldest `seq` still in the replay buffer, if any.
   */
  oldestSeq?: (number | null);
  /**
   * Why events cannot be replayed.
   */
  reason: ResyncReason;
};

/**
 * A link with a title and a picture.
 */
export type RichLink = {
  /**
   * The picture, when there is one.
   */
  media?: (Media | null);
  /**
   * The link's title.
   */
  title: string;
  /**
   * The target URL.
   */
  url: string;
};

/**
 * A session as the session and lifecycle methods report it.
 */
export type SessionState = {
  /**
   * The channel's facts, once prepared.
   */
  channel?: (ChannelInfo | null);
  /**
   * The connection to the back end.
   */
  connection: ConnectionState;
  /**
   * The chat mode, once the channel is known (from `prepared` on).
   */
  mode?: (ChatMode | null);
  /**
   * The session's name.
   */
  session: string;
  /**
   * The chat state.
   */
  state: ChatState;
  /**
   * The visitor id this session registers its device with: a UUID, stable across restarts until
   * `session.close {forget: true}` (iOS `analytics.visitorId`, the web SDK's visitor id). Hosts use
   * it to match the daemon's visitor with their own analytics.
   */
  visitorId: string;
};

/**
 * One session in `daemon.status`.
 */
export type SessionStatus = {
  /**
   * The brand id, once prepared.
   */
  brandId?: (number | null);
  /**
   * The channel id, once prepared.
   */
  channelId?: (string | null);
  /**
   * The connection to the back end.
   */
  connection: ConnectionState;
  /**
   * While not connected: why the last attempt to connect failed (an untrusted certificate, a proxy's
   * refusal, an unreachable gateway), with what to do.
   */
  lastError?: (string | null);
  /**
   * The chat mode, once known.
   */
  mode?: (ChatMode | null);
  /**
   * Calls waiting for the back end.
   */
  pendingRequests: number;
  /**
   * Outbound events queued for the back end while disconnected.
   */
  queuedEvents: number;
  /**
   * The session's name.
   */
  session: string;
  /**
   * The chat state.
   */
  state: ChatState;
  /**
   * Threads the session knows.
   */
  threads: number;
};

/**
 * Why the daemon stops.
 */
export type ShutdownReason = ("restart" | "stop");

/**
 * A subscription's id, unique per daemon run.
 */
export type SubscriptionId = number;

/**
 * A choice from a flat list.
 */
export type SurveyChoiceField = {
  /**
   * The custom field ident the answer is stored under.
   */
  ident: string;
  /**
   * The label to show.
   */
  label: string;
  /**
   * The options, in display order.
   */
  options: SurveyOption[];
  /**
   * Whether an answer is required to create a thread.
   */
  required: boolean;
};

/**
 * One survey field, tagged by `type`.
 */
export type SurveyField = ({
  type: "text";
} & SurveyTextField | {
  type: "email";
} & SurveyTextField | {
  type: "list";
} & SurveyChoiceField | {
  type: "tree";
} & SurveyTreeField);

/**
 * A node of a tree field.
 */
export type SurveyNode = {
  /**
   * Child nodes; empty for a leaf.
   */
  children: SurveyNode[];
  /**
   * The value to send as the answer (leaves only).
   */
  id: string;
  /**
   * The label to show.
   */
  label: string;
};

/**
 * An option of a list field.
 */
export type SurveyOption = {
  /**
   * The value to send as the answer.
   */
  id: string;
  /**
   * The label to show.
   */
  label: string;
};

/**
 * A free-text or e-mail field.
 */
export type SurveyTextField = {
  /**
   * The custom field ident the answer is stored under.
   */
  ident: string;
  /**
   * The label to show.
   */
  label: string;
  /**
   * Whether an answer is required to create a thread.
   */
  required: boolean;
};

/**
 * A choice from a hierarchy.
 */
export type SurveyTreeField = {
  /**
   * The custom field ident the answer is stored under.
   */
  ident: string;
  /**
   * The label to show.
   */
  label: string;
  /**
   * The top-level nodes, in display order.
   */
  nodes: SurveyNode[];
  /**
   * Whether an answer is required to create a thread.
   */
  required: boolean;
};

/**
 * A thread, without its messages.
 */
export type Thread = {
  /**
   * The agent handling the thread, if any.
   */
  agent?: (Agent | null);
  /**
   * The thread's current contact (case), once the back end created one.
   */
  contact?: (Contact | null);
  /**
   * When it was created, once the back end knows it.
   */
  createdAt?: (string | null);
  /**
   * The contact's custom fields (pre-chat survey answers and `thread.setCustomFields`).
   */
  customFields: CustomField[];
  /**
   * The thread id (a UUID).
   */
  id: string;
  /**
   * Live chat: the contact centre asks whether the customer is still there (also announced as a
   * `proactive.action` of type `inactivityPopup`); answer before `expiresAt`.
   */
  inactivityPopup?: (OpenInactivityPopup | null);
  /**
   * The newest message, when one is known.
   */
  lastMessage?: (Message | null);
  /**
   * Its name (multi-thread channels), when it has one.
   */
  name?: (string | null);
  /**
   * Live chat: the customer's position in the routing queue while waiting for an agent.
   */
  queuePosition?: (number | null);
  /**
   * Its state.
   */
  state: ThreadState;
  /**
   * Messages from the contact centre the customer has not seen (`thread.markRead` clears it).
   */
  unreadCount: number;
  /**
   * When it last changed, once the back end knows it.
   */
  updatedAt?: (string | null);
};

/**
 * The result of `thread.loadMore`.
 */
export type ThreadLoadMoreResult = {
  /**
   * Whether even older messages exist.
   */
  hasMoreMessages: boolean;
  /**
   * The older messages, oldest first.
   */
  messages: Message[];
};

/**
 * A thread with the messages loaded so far, oldest first.
 */
export type ThreadSnapshot = {
  /**
   * Whether `thread.loadMore` can fetch older messages.
   */
  hasMoreMessages: boolean;
  /**
   * Its loaded messages, oldest first.
   */
  messages: Message[];
  /**
   * The thread.
   */
  thread: Thread;
};

/**
 * The state of a thread, as the CXone SDKs define it.
 *
 * `pending → received → loaded → ready → closed`; a closed thread never reopens.
 */
export type ThreadState = ("pending" | "received" | "loaded" | "ready" | "closed");

/**
 * `thread.updated`.
 */
export type ThreadUpdated = {
  /**
   * The thread as it is now.
   */
  thread: Thread;
};

/**
 * The result of `threads.list`.
 */
export type ThreadsListResult = {
  /**
   * The threads, newest activity first; archived ones included (state `closed`).
   */
  threads: Thread[];
};

/**
 * `threads.updated`.
 */
export type ThreadsUpdated = {
  /**
   * Every thread of the session, as `threads.list` would return them.
   */
  threads: Thread[];
};

/**
 * An appointment picker.
 */
export type TimePicker = {
  /**
   * The title of the event being booked, when given.
   */
  eventTitle?: (string | null);
  /**
   * The slots to choose from.
   */
  slots: TimeSlot[];
  /**
   * The picker's title.
   */
  title: string;
};

/**
 * One bookable slot.
 */
export type TimeSlot = {
  /**
   * How long it lasts, in seconds.
   */
  durationSeconds: number;
  /**
   * The slot's id, to send back as the postback.
   */
  id: string;
  /**
   * When the slot starts.
   */
  startTime: string;
};

/**
 * `token.refreshFailed`.
 */
export type TokenRefreshFailed = {
  /**
   * What failed (code `tokenRefreshFailed` or `tokenExpired`).
   */
  error: ErrorObject;
};

/**
 * Content the daemon cannot represent.
 */
export type UnsupportedContent = {
  /**
   * The text the back end provides for clients that cannot show the content.
   */
  fallbackText: string;
};

/** The params of `rpc.discover`. */
export type RpcDiscoverParams = Record<string, never>;

/** The result of `rpc.discover`. */
export type RpcDiscoverResult = Record<string, unknown>;

/** The params of `daemon.info`. */
export type DaemonInfoParams = Record<string, never>;

/** The params of `daemon.status`. */
export type DaemonStatusParams = Record<string, never>;

/** The params of `daemon.setLogLevel`. */
export type DaemonSetLogLevelParams = {
  /**
   * The new level.
   */
  level: LogLevel;
  /**
   * A module path (e.g. `cxone_chatd::gateway`) to change only its level.
   */
  target?: (string | null);
};

/** The params of `events.subscribe`. */
export type EventsSubscribeParams = {
  /**
   * Only these kinds; every kind when left out or empty.
   */
  kinds?: EventKind[];
  /**
   * Only events of this session; events of every session when left out.
   */
  session?: (string | null);
  /**
   * Replay the buffered events after this position first.
   */
  since?: (EventCursor | null);
};

/** The params of `events.unsubscribe`. */
export type EventsUnsubscribeParams = {
  /**
   * The subscription to stop.
   */
  subscription: SubscriptionId;
};

/** The params of `events.poll`. */
export type EventsPollParams = {
  /**
   * Only these kinds; every kind when left out or empty.
   */
  kinds?: EventKind[];
  /**
   * The most events to return; the daemon's own maximum when left out.
   */
  limit?: (number | null);
  /**
   * Only events of this session; every session when left out.
   */
  session?: (string | null);
  /**
   * Return events after this position; only events after the call when left out.
   */
  since?: (EventCursor | null);
  /**
   * How long to wait for an event when none is ready, in milliseconds; 0 (the default) returns at
   * once. Capped at `daemon.info`'s `limits.maxPollTimeoutMs`.
   */
  timeoutMs?: number;
};

/** The params of `session.prepare`. */
export type SessionPrepareParams = {
  /**
   * The CXone brand (tenant) id.
   */
  brandId: number;
  /**
   * The channel id, e.g. `chat_51eafb4e-8829-4efe-b58c-3bc9febf18c4`.
   */
  channelId: string;
  /**
   * Who the customer is, as far as the host application knows.
   */
  customer?: (CustomerIdentity | null);
  /**
   * The back end: a named environment (`"EU1"`) or custom URLs. Omitted, it is the daemon's embedded
   * emulator when the daemon runs with `--sandbox` (and an error otherwise).
   */
  environment?: (Environment | null);
  /**
   * The session to prepare (created when new); `"default"` when left out.
   */
  session?: string;
};

/** The result of `session.prepare`. */
export type SessionPrepareResult = SessionState;

/** The params of `session.connect`. */
export type SessionConnectParams = {
  /**
   * The session to act on; `"default"` when left out.
   */
  session?: string;
};

/** The result of `session.connect`. */
export type SessionConnectResult = SessionState;

/** The params of `session.disconnect`. */
export type SessionDisconnectParams = {
  /**
   * The session to act on; `"default"` when left out.
   */
  session?: string;
};

/** The result of `session.disconnect`. */
export type SessionDisconnectResult = SessionState;

/** The params of `session.state`. */
export type SessionStateParams = {
  /**
   * The session to act on; `"default"` when left out.
   */
  session?: string;
};

/** The result of `session.state`. */
export type SessionStateResult = SessionState;

/** The params of `session.close`. */
export type SessionCloseParams = {
  /**
   * Also delete the session's persisted state (sign out).
   */
  forget?: boolean;
  /**
   * The session to close; `"default"` when left out.
   */
  session?: string;
};

/** The result of `session.close`. */
export type SessionCloseResult = Empty;

/** The params of `session.executeTrigger`. */
export type SessionExecuteTriggerParams = {
  /**
   * The trigger's id (a UUID), as configured in CXone.
   */
  triggerId: string;
  /**
   * The session; `"default"` when left out.
   */
  session?: string;
};

/** The result of `session.executeTrigger`. */
export type SessionExecuteTriggerResult = Empty;

/** The params of `session.availability`. */
export type SessionAvailabilityParams = {
  /**
   * The session to act on; `"default"` when left out.
   */
  session?: string;
};

/** The result of `session.availability`. */
export type SessionAvailabilityResult = Availability;

/** The params of `session.sendOfflineMessage`. */
export type SessionSendOfflineMessageParams = {
  /**
   * The e-mail address the answer goes to.
   */
  email: string;
  /**
   * The message.
   */
  message: string;
  /**
   * The customer's full name; the last word is sent as the last name, as the web SDK does.
   */
  name: string;
  /**
   * The session; `"default"` when left out.
   */
  session?: string;
};

/** The result of `session.sendOfflineMessage`. */
export type SessionSendOfflineMessageResult = Empty;

/** The params of `app.foreground`. */
export type AppForegroundParams = {
  /**
   * The session to act on; `"default"` when left out.
   */
  session?: string;
};

/** The result of `app.foreground`. */
export type AppForegroundResult = SessionState;

/** The params of `app.background`. */
export type AppBackgroundParams = {
  /**
   * Whether to drop the connection; the daemon's configuration decides when left out.
   */
  disconnect?: (boolean | null);
  /**
   * The session; `"default"` when left out.
   */
  session?: string;
};

/** The result of `app.background`. */
export type AppBackgroundResult = SessionState;

/** The params of `customer.get`. */
export type CustomerGetParams = {
  /**
   * The session to act on; `"default"` when left out.
   */
  session?: string;
};

/** The result of `customer.get`. */
export type CustomerGetResult = Customer;

/** The params of `customer.set`. */
export type CustomerSetParams = {
  /**
   * First name.
   */
  firstName?: (string | null);
  /**
   * The host's own customer id (only before the first prepare).
   */
  id?: (string | null);
  /**
   * Last name.
   */
  lastName?: (string | null);
  /**
   * The session; `"default"` when left out.
   */
  session?: string;
};

/** The result of `customer.set`. */
export type CustomerSetResult = Customer;

/** The params of `customer.setDeviceToken`. */
export type CustomerSetDeviceTokenParams = {
  /**
   * The push token (APNs as hex, or FCM).
   */
  deviceToken: string;
  /**
   * The session; `"default"` when left out.
   */
  session?: string;
};

/** The result of `customer.setDeviceToken`. */
export type CustomerSetDeviceTokenResult = Empty;

/** The params of `customer.authorize`. */
export type CustomerAuthorizeParams = {
  /**
   * The authorization code the identity provider issued.
   */
  authorizationCode: string;
  /**
   * The PKCE code verifier that goes with it, when the login used PKCE.
   */
  codeVerifier?: (string | null);
  /**
   * The session; `"default"` when left out.
   */
  session?: string;
};

/** The result of `customer.authorize`. */
export type CustomerAuthorizeResult = Empty;

/** The params of `customer.setCustomFields`. */
export type CustomerSetCustomFieldsParams = {
  /**
   * The values to set, by ident.
   */
  customFields: Record<string, string>;
  /**
   * The session; `"default"` when left out.
   */
  session?: string;
};

/** The result of `customer.setCustomFields`. */
export type CustomerSetCustomFieldsResult = CustomFieldsResult;

/** The params of `analytics.pageView`. */
export type AnalyticsPageViewParams = {
  /**
   * The page's title, e.g. `Basket`.
   */
  title: string;
  /**
   * The page's identifier; any URL-like string, e.g. `app://basket`.
   */
  url: string;
  /**
   * The session; `"default"` when left out.
   */
  session?: string;
};

/** The result of `analytics.pageView`. */
export type AnalyticsPageViewResult = Empty;

/** The params of `analytics.pageViewEnded`. */
export type AnalyticsPageViewEndedParams = {
  /**
   * The page's title, e.g. `Basket`.
   */
  title: string;
  /**
   * The page's identifier; any URL-like string, e.g. `app://basket`.
   */
  url: string;
  /**
   * The session; `"default"` when left out.
   */
  session?: string;
};

/** The result of `analytics.pageViewEnded`. */
export type AnalyticsPageViewEndedResult = Empty;

/** The params of `analytics.chatWindowOpen`. */
export type AnalyticsChatWindowOpenParams = {
  /**
   * The session to act on; `"default"` when left out.
   */
  session?: string;
};

/** The result of `analytics.chatWindowOpen`. */
export type AnalyticsChatWindowOpenResult = Empty;

/** The params of `analytics.conversion`. */
export type AnalyticsConversionParams = {
  /**
   * What kind of conversion, e.g. `purchase`.
   */
  conversionType: string;
  /**
   * Its value, e.g. the amount.
   */
  conversionValue: number;
  /**
   * The session; `"default"` when left out.
   */
  session?: string;
  /**
   * When it happened; now when left out.
   */
  time?: (string | null);
};

/** The result of `analytics.conversion`. */
export type AnalyticsConversionResult = Empty;

/** The params of `analytics.proactiveAction`. */
export type AnalyticsProactiveActionParams = {
  /**
   * The action's id, from the `proactive.action` event.
   */
  actionId: string;
  /**
   * The action's name, from the event.
   */
  actionName: string;
  /**
   * The action's type, from the event.
   */
  actionType: ProactiveActionType;
  /**
   * What happened.
   */
  outcome: ProactiveActionOutcome;
  /**
   * The session; `"default"` when left out.
   */
  session?: string;
};

/** The result of `analytics.proactiveAction`. */
export type AnalyticsProactiveActionResult = Empty;

/** The params of `analytics.customVisitorEvent`. */
export type AnalyticsCustomVisitorEventParams = {
  /**
   * The event: any JSON value but `null`.
   */
  data: unknown;
  /**
   * The session; `"default"` when left out.
   */
  session?: string;
};

/** The result of `analytics.customVisitorEvent`. */
export type AnalyticsCustomVisitorEventResult = Empty;

/** The params of `threads.list`. */
export type ThreadsListParams = {
  /**
   * The session to act on; `"default"` when left out.
   */
  session?: string;
};

/** The params of `threads.create`. */
export type ThreadsCreateParams = {
  /**
   * Contact custom fields, including the pre-chat survey answers, by ident.
   */
  customFields?: Record<string, string>;
  /**
   * The thread's name (multi-thread channels).
   */
  name?: (string | null);
  /**
   * The session; `"default"` when left out.
   */
  session?: string;
};

/** The result of `threads.create`. */
export type ThreadsCreateResult = Thread;

/** The params of `threads.load`. */
export type ThreadsLoadParams = {
  /**
   * The session; `"default"` when left out.
   */
  session?: string;
  /**
   * The thread; the current one (single-thread, live chat) when left out.
   */
  threadId?: (string | null);
};

/** The result of `threads.load`. */
export type ThreadsLoadResult = (ThreadSnapshot | null);

/** The params of `threads.get`. */
export type ThreadsGetParams = {
  /**
   * The thread.
   */
  threadId: string;
  /**
   * The session; `"default"` when left out.
   */
  session?: string;
};

/** The result of `threads.get`. */
export type ThreadsGetResult = ThreadSnapshot;

/** The params of `threads.preChatSurvey`. */
export type ThreadsPreChatSurveyParams = {
  /**
   * The session to act on; `"default"` when left out.
   */
  session?: string;
};

/** The result of `threads.preChatSurvey`. */
export type ThreadsPreChatSurveyResult = (PreChatSurvey | null);

/** The params of `thread.send`. */
export type ThreadSendParams = {
  /**
   * The thread.
   */
  threadId: string;
  /**
   * Files to attach.
   */
  attachments?: AttachmentInput[];
  /**
   * A UUID of your choosing that becomes the message id; sending again with the same id does not
   * send the message twice. The daemon mints one when left out.
   */
  clientMessageId?: (string | null);
  /**
   * The postback of the button being answered.
   */
  postback?: (string | null);
  /**
   * The session; `"default"` when left out.
   */
  session?: string;
  /**
   * The text.
   */
  text?: (string | null);
};

/** The result of `thread.send`. */
export type ThreadSendResult = Message;

/** The params of `thread.loadMore`. */
export type ThreadLoadMoreParams = {
  /**
   * The thread.
   */
  threadId: string;
  /**
   * The session; `"default"` when left out.
   */
  session?: string;
};

/** The params of `thread.rename`. */
export type ThreadRenameParams = {
  /**
   * The new name.
   */
  name: string;
  /**
   * The thread.
   */
  threadId: string;
  /**
   * The session; `"default"` when left out.
   */
  session?: string;
};

/** The result of `thread.rename`. */
export type ThreadRenameResult = Thread;

/** The params of `thread.archive`. */
export type ThreadArchiveParams = {
  /**
   * The thread.
   */
  threadId: string;
  /**
   * The session; `"default"` when left out.
   */
  session?: string;
};

/** The result of `thread.archive`. */
export type ThreadArchiveResult = Thread;

/** The params of `thread.markRead`. */
export type ThreadMarkReadParams = {
  /**
   * The thread.
   */
  threadId: string;
  /**
   * The session; `"default"` when left out.
   */
  session?: string;
};

/** The result of `thread.markRead`. */
export type ThreadMarkReadResult = Empty;

/** The params of `thread.typing`. */
export type ThreadTypingParams = {
  /**
   * Whether the customer is typing now.
   */
  isTyping: boolean;
  /**
   * The thread.
   */
  threadId: string;
  /**
   * What the customer has typed so far, shown to the agent as a preview of the message (the web
   * SDK's typing preview: send it when the customer pauses, at most every second or so). Up to
   * 10,000 characters.
   */
  preview?: (string | null);
  /**
   * The session; `"default"` when left out.
   */
  session?: string;
};

/** The result of `thread.typing`. */
export type ThreadTypingResult = Empty;

/** The params of `thread.endContact`. */
export type ThreadEndContactParams = {
  /**
   * The thread.
   */
  threadId: string;
  /**
   * The session; `"default"` when left out.
   */
  session?: string;
};

/** The result of `thread.endContact`. */
export type ThreadEndContactResult = Empty;

/** The params of `thread.sendTranscript`. */
export type ThreadSendTranscriptParams = {
  /**
   * Where to send it.
   */
  email: string;
  /**
   * The thread.
   */
  threadId: string;
  /**
   * The session; `"default"` when left out.
   */
  session?: string;
};

/** The result of `thread.sendTranscript`. */
export type ThreadSendTranscriptResult = Empty;

/** The params of `thread.setCustomFields`. */
export type ThreadSetCustomFieldsParams = {
  /**
   * The values to set, by ident.
   */
  customFields: Record<string, string>;
  /**
   * The thread.
   */
  threadId: string;
  /**
   * The session; `"default"` when left out.
   */
  session?: string;
};

/** The result of `thread.setCustomFields`. */
export type ThreadSetCustomFieldsResult = CustomFieldsResult;

/** Every method of the API, one per API method, named after it in camelCase (`thread.send` → `threadSend`). */
export abstract class Methods {
  /** Sends one request and resolves with its result; the client implements it. */
  protected abstract request(method: string, params: object): Promise<unknown>;

  /**
   * Returns the OpenRPC document describing every method, error and event of this API.
   *
   * The same document is committed as `protocol/openrpc.json`.
   */
  rpcDiscover(params: RpcDiscoverParams = {}): Promise<RpcDiscoverResult> {
    return this.request("rpc.discover", params) as Promise<RpcDiscoverResult>;
  }

  /**
   * Returns the daemon's version, protocol version, capabilities and limits.
   *
   * Cheap and always available, even before the daemon is ready: use it to check that the socket
   * works and which protocol version the daemon speaks.
   */
  daemonInfo(params: DaemonInfoParams = {}): Promise<DaemonInfoResult> {
    return this.request("daemon.info", params) as Promise<DaemonInfoResult>;
  }

  /**
   * Returns the daemon's health: readiness, uptime, sessions with their chat and connection state, clients and queue depths.
   */
  daemonStatus(params: DaemonStatusParams = {}): Promise<DaemonStatusResult> {
    return this.request("daemon.status", params) as Promise<DaemonStatusResult>;
  }

  /**
   * Changes the daemon's log level, for everything or for one module.
   *
   * The change lasts until the daemon restarts or its configuration is reloaded.
   * @param params.level The new level.
   * @param params.target A module path (e.g. `cxone_chatd::gateway`) to change only its level.
   * @throws {InvalidParameterError} 3008 invalidParameter
   */
  daemonSetLogLevel(params: DaemonSetLogLevelParams): Promise<DaemonSetLogLevelResult> {
    return this.request("daemon.setLogLevel", params) as Promise<DaemonSetLogLevelResult>;
  }

  /**
   * Starts pushing events to this connection, after replaying those newer than since.
   *
   * Events newer than `since` are replayed first (strictly greater: pass the last `seq` you
   * handled), then live events follow as `events.event` notifications on this connection until
   * `events.unsubscribe` or disconnect. Without `since`, only events after the call are sent.
   * Daemon-wide kinds (`daemon.shutdown`, `events.*`) are sent whatever the filters.
   * @param params.kinds Only these kinds; every kind when left out or empty.
   * @param params.session Only events of this session; events of every session when left out.
   * @param params.since Replay the buffered events after this position first.
   * @throws {OverloadedError} -32003 overloaded
   */
  eventsSubscribe(params: EventsSubscribeParams = {}): Promise<EventsSubscribeResult> {
    return this.request("events.subscribe", params) as Promise<EventsSubscribeResult>;
  }

  /**
   * Stops a subscription of this connection.
   * @param params.subscription The subscription to stop.
   */
  eventsUnsubscribe(params: EventsUnsubscribeParams): Promise<EventsUnsubscribeResult> {
    return this.request("events.unsubscribe", params) as Promise<EventsUnsubscribeResult>;
  }

  /**
   * Returns the events newer than since, waiting up to timeoutMs for the first one.
   *
   * For clients that cannot take notifications: returns at once when events newer than `since`
   * exist, otherwise waits up to `timeoutMs` for one. Call again with `since = next`.
   * @param params.kinds Only these kinds; every kind when left out or empty.
   * @param params.limit The most events to return; the daemon's own maximum when left out.
   * @param params.session Only events of this session; every session when left out.
   * @param params.since Return events after this position; only events after the call when left out.
   * @param params.timeoutMs How long to wait for an event when none is ready, in milliseconds; 0 (the default) returns at once. Capped at `daemon.info`'s `limits.maxPollTimeoutMs`.
   * @throws {RequestCancelledError} -32004 requestCancelled
   */
  eventsPoll(params: EventsPollParams = {}): Promise<EventsPollResult> {
    return this.request("events.poll", params) as Promise<EventsPollResult>;
  }

  /**
   * Prepares a session for a brand and channel: loads the channel configuration and registers the visitor.
   *
   * Creates the session if needed, loads the channel configuration and registers the visitor;
   * the chat state goes `initial → preparing → prepared`. Calling it again for a prepared
   * session with the same back end, brand and channel is harmless and returns its state.
   * @param params.brandId The CXone brand (tenant) id.
   * @param params.channelId The channel id, e.g. `chat_51eafb4e-8829-4efe-b58c-3bc9febf18c4`.
   * @param params.customer Who the customer is, as far as the host application knows.
   * @param params.environment The back end: a named environment (`"EU1"`) or custom URLs. Omitted, it is the daemon's embedded emulator when the daemon runs with `--sandbox` (and an error otherwise).
   * @param params.session The session to prepare (created when new); `"default"` when left out.
   * @throws {SessionConflictError} 3004 sessionConflict
   * @throws {IllegalChatStateError} 3003 illegalChatState
   * @throws {ChannelUnavailableError} 2003 channelUnavailable
   * @throws {VersionNotSupportedError} 2004 versionNotSupported
   * @throws {BackendUnavailableError} 2000 backendUnavailable
   * @throws {OperationTimeoutError} 2002 timeout
   * @throws {InvalidParameterError} 3008 invalidParameter
   */
  sessionPrepare(params: SessionPrepareParams): Promise<SessionPrepareResult> {
    return this.request("session.prepare", params) as Promise<SessionPrepareResult>;
  }

  /**
   * Connects the session to the back end and recovers its threads.
   *
   * Resolves once the chat is `ready` (threads recovered), or `offline` for a live chat with no
   * agent available; `chat.stateChanged` events report the steps. Requires customer login first
   * (`customer.authorize`) on channels that use it.
   * @param params.session The session to act on; `"default"` when left out.
   * @throws {UnknownSessionError} 3000 unknownSession
   * @throws {NotPreparedError} 3001 notPrepared
   * @throws {AuthorizationRequiredError} 1000 authorizationRequired
   * @throws {AuthorizationFailedError} 1001 authorizationFailed
   * @throws {TokenExpiredError} 1002 tokenExpired
   * @throws {ChatOfflineError} 3007 chatOffline
   * @throws {BackendUnavailableError} 2000 backendUnavailable
   * @throws {BackendRejectedError} 2001 backendRejected
   * @throws {OperationTimeoutError} 2002 timeout
   * @throws {RequestCancelledError} -32004 requestCancelled
   */
  sessionConnect(params: SessionConnectParams = {}): Promise<SessionConnectResult> {
    return this.request("session.connect", params) as Promise<SessionConnectResult>;
  }

  /**
   * Closes the session's connection to the back end; the chat state returns to prepared.
   *
   * The session stays prepared and keeps its threads; nothing is lost.
   * @param params.session The session to act on; `"default"` when left out.
   * @throws {UnknownSessionError} 3000 unknownSession
   */
  sessionDisconnect(params: SessionDisconnectParams = {}): Promise<SessionDisconnectResult> {
    return this.request("session.disconnect", params) as Promise<SessionDisconnectResult>;
  }

  /**
   * Returns the session's chat state, mode, connection state and channel facts.
   * @param params.session The session to act on; `"default"` when left out.
   * @throws {UnknownSessionError} 3000 unknownSession
   */
  sessionState(params: SessionStateParams = {}): Promise<SessionStateResult> {
    return this.request("session.state", params) as Promise<SessionStateResult>;
  }

  /**
   * Disconnects the session and removes it from the daemon.
   *
   * With `forget`, the session's persisted state (visitor id, customer id, tokens) is deleted
   * too, as a sign-out; otherwise the next `session.prepare` of this name resumes it.
   * @param params.forget Also delete the session's persisted state (sign out).
   * @param params.session The session to close; `"default"` when left out.
   * @throws {UnknownSessionError} 3000 unknownSession
   */
  sessionClose(params: SessionCloseParams = {}): Promise<SessionCloseResult> {
    return this.request("session.close", params) as Promise<SessionCloseResult>;
  }

  /**
   * Runs a proactive-chat trigger by id.
   *
   * The result, if the trigger's conditions hold, arrives as a `proactive.action` event.
   * @param params.triggerId The trigger's id (a UUID), as configured in CXone.
   * @param params.session The session; `"default"` when left out.
   * @throws {UnknownSessionError} 3000 unknownSession
   * @throws {NotConnectedError} 3002 notConnected
   * @throws {InvalidParameterError} 3008 invalidParameter
   */
  sessionExecuteTrigger(params: SessionExecuteTriggerParams): Promise<SessionExecuteTriggerResult> {
    return this.request("session.executeTrigger", params) as Promise<SessionExecuteTriggerResult>;
  }

  /**
   * Says whether the channel has an agent available now, without connecting.
   *
   * Asks the back end whether an agent is available, without opening a connection (Android's and
   * the web SDK's `getChannelAvailability`). The answer is reused for 60 s, as both SDKs do, and
   * is the same one `session.connect` goes by on a live-chat channel. An extension beyond
   * PRODUCT.md §3 (docs/parity.md).
   * @param params.session The session to act on; `"default"` when left out.
   * @throws {UnknownSessionError} 3000 unknownSession
   * @throws {NotPreparedError} 3001 notPrepared
   * @throws {BackendUnavailableError} 2000 backendUnavailable
   * @throws {BackendRejectedError} 2001 backendRejected
   * @throws {OperationTimeoutError} 2002 timeout
   */
  sessionAvailability(params: SessionAvailabilityParams = {}): Promise<SessionAvailabilityResult> {
    return this.request("session.availability", params) as Promise<SessionAvailabilityResult>;
  }

  /**
   * Leaves a message with the contact centre while no agent is available (the offline form).
   *
   * The offline form (web SDK `sendOfflineMessage`): a message the contact centre answers by
   * e-mail, for when no agent is available. It needs no `session.connect`: a session that is not
   * connected (a live chat `offline` opens no socket) opens one for this message only. An
   * extension beyond PRODUCT.md §3 (docs/parity.md).
   * @param params.email The e-mail address the answer goes to.
   * @param params.message The message.
   * @param params.name The customer's full name; the last word is sent as the last name, as the web SDK does.
   * @param params.session The session; `"default"` when left out.
   * @throws {UnknownSessionError} 3000 unknownSession
   * @throws {NotPreparedError} 3001 notPrepared
   * @throws {InvalidParameterError} 3008 invalidParameter
   * @throws {AuthorizationRequiredError} 1000 authorizationRequired
   * @throws {BackendUnavailableError} 2000 backendUnavailable
   * @throws {BackendRejectedError} 2001 backendRejected
   * @throws {OperationTimeoutError} 2002 timeout
   */
  sessionSendOfflineMessage(params: SessionSendOfflineMessageParams): Promise<SessionSendOfflineMessageResult> {
    return this.request("session.sendOfflineMessage", params) as Promise<SessionSendOfflineMessageResult>;
  }

  /**
   * Tells the daemon the host application became active.
   *
   * Prepares again if needed, starts or extends the analytics visit, reconnects if the session
   * was connected before going to the background, re-authorizes the customer and recovers the
   * threads. The session must have been prepared once (`session.prepare`).
   * @param params.session The session to act on; `"default"` when left out.
   * @throws {UnknownSessionError} 3000 unknownSession
   */
  appForeground(params: AppForegroundParams = {}): Promise<AppForegroundResult> {
    return this.request("app.foreground", params) as Promise<AppForegroundResult>;
  }

  /**
   * Tells the daemon the host application went to the background.
   *
   * Sends the time spent on the current page, stops page-view timing and, if configured (or
   * asked with `disconnect`), drops the connection while keeping all state.
   * @param params.disconnect Whether to drop the connection; the daemon's configuration decides when left out.
   * @param params.session The session; `"default"` when left out.
   * @throws {UnknownSessionError} 3000 unknownSession
   */
  appBackground(params: AppBackgroundParams = {}): Promise<AppBackgroundResult> {
    return this.request("app.background", params) as Promise<AppBackgroundResult>;
  }

  /**
   * Returns the session's customer: id, names, login state and custom fields.
   * @param params.session The session to act on; `"default"` when left out.
   * @throws {UnknownSessionError} 3000 unknownSession
   */
  customerGet(params: CustomerGetParams = {}): Promise<CustomerGetResult> {
    return this.request("customer.get", params) as Promise<CustomerGetResult>;
  }

  /**
   * Sets the customer's id or names.
   *
   * Names can change at any time and reach agents with the next message. The id can only be set
   * before the session's first `session.prepare`; afterwards it is fixed (or given by the
   * identity provider after login).
   * @param params.firstName First name.
   * @param params.id The host's own customer id (only before the first prepare).
   * @param params.lastName Last name.
   * @param params.session The session; `"default"` when left out.
   * @throws {UnknownSessionError} 3000 unknownSession
   * @throws {IllegalChatStateError} 3003 illegalChatState
   * @throws {InvalidParameterError} 3008 invalidParameter
   */
  customerSet(params: CustomerSetParams = {}): Promise<CustomerSetResult> {
    return this.request("customer.set", params) as Promise<CustomerSetResult>;
  }

  /**
   * Registers the push-notification token of the device, so the contact centre can reach the customer while disconnected.
   * @param params.deviceToken The push token (APNs as hex, or FCM).
   * @param params.session The session; `"default"` when left out.
   * @throws {UnknownSessionError} 3000 unknownSession
   * @throws {NotPreparedError} 3001 notPrepared
   * @throws {BackendUnavailableError} 2000 backendUnavailable
   * @throws {OperationTimeoutError} 2002 timeout
   */
  customerSetDeviceToken(params: CustomerSetDeviceTokenParams): Promise<CustomerSetDeviceTokenResult> {
    return this.request("customer.setDeviceToken", params) as Promise<CustomerSetDeviceTokenResult>;
  }

  /**
   * Logs the customer in with an authorization code (and PKCE verifier) from the channel's identity provider.
   *
   * The code is single-use. When the session is not connected, it is kept for the next
   * `session.connect`; when it is, the session connects again with it at once and answers once
   * the chat is ready. When the login is another customer's, the last customer's threads are
   * dropped (`threads.updated`).
   * @param params.authorizationCode The authorization code the identity provider issued.
   * @param params.codeVerifier The PKCE code verifier that goes with it, when the login used PKCE.
   * @param params.session The session; `"default"` when left out.
   * @throws {UnknownSessionError} 3000 unknownSession
   * @throws {NotPreparedError} 3001 notPrepared
   * @throws {FeatureDisabledError} 3006 featureDisabled
   * @throws {AuthorizationFailedError} 1001 authorizationFailed
   * @throws {BackendUnavailableError} 2000 backendUnavailable
   * @throws {OperationTimeoutError} 2002 timeout
   */
  customerAuthorize(params: CustomerAuthorizeParams): Promise<CustomerAuthorizeResult> {
    return this.request("customer.authorize", params) as Promise<CustomerAuthorizeResult>;
  }

  /**
   * Sets custom fields of the customer (shared by all threads).
   *
   * Values are merged into the existing fields; fields not named keep their value. They are sent
   * to the back end at once when connected, otherwise with the next message.
   * @param params.customFields The values to set, by ident.
   * @param params.session The session; `"default"` when left out.
   * @throws {UnknownSessionError} 3000 unknownSession
   * @throws {NotPreparedError} 3001 notPrepared
   * @throws {InvalidParameterError} 3008 invalidParameter
   */
  customerSetCustomFields(params: CustomerSetCustomFieldsParams): Promise<CustomerSetCustomFieldsResult> {
    return this.request("customer.setCustomFields", params) as Promise<CustomerSetCustomFieldsResult>;
  }

  /**
   * Reports that the customer opened a page (screen) of the host application.
   *
   * If another page was being viewed, its time on page is reported first.
   * @param params.title The page's title, e.g. `Basket`.
   * @param params.url The page's identifier; any URL-like string, e.g. `app://basket`.
   * @param params.session The session; `"default"` when left out.
   * @throws {UnknownSessionError} 3000 unknownSession
   * @throws {NotPreparedError} 3001 notPrepared
   * @throws {BackendUnavailableError} 2000 backendUnavailable
   * @throws {OperationTimeoutError} 2002 timeout
   */
  analyticsPageView(params: AnalyticsPageViewParams): Promise<AnalyticsPageViewResult> {
    return this.request("analytics.pageView", params) as Promise<AnalyticsPageViewResult>;
  }

  /**
   * Reports that the customer left the page, with the time spent on it.
   *
   * Ignored unless `title` and `url` match the page last reported by `analytics.pageView`.
   * @param params.title The page's title, e.g. `Basket`.
   * @param params.url The page's identifier; any URL-like string, e.g. `app://basket`.
   * @param params.session The session; `"default"` when left out.
   * @throws {UnknownSessionError} 3000 unknownSession
   * @throws {NotPreparedError} 3001 notPrepared
   * @throws {BackendUnavailableError} 2000 backendUnavailable
   * @throws {OperationTimeoutError} 2002 timeout
   */
  analyticsPageViewEnded(params: AnalyticsPageViewEndedParams): Promise<AnalyticsPageViewEndedResult> {
    return this.request("analytics.pageViewEnded", params) as Promise<AnalyticsPageViewEndedResult>;
  }

  /**
   * Reports that the customer opened the chat window.
   * @param params.session The session to act on; `"default"` when left out.
   * @throws {UnknownSessionError} 3000 unknownSession
   * @throws {NotPreparedError} 3001 notPrepared
   * @throws {BackendUnavailableError} 2000 backendUnavailable
   * @throws {OperationTimeoutError} 2002 timeout
   */
  analyticsChatWindowOpen(params: AnalyticsChatWindowOpenParams = {}): Promise<AnalyticsChatWindowOpenResult> {
    return this.request("analytics.chatWindowOpen", params) as Promise<AnalyticsChatWindowOpenResult>;
  }

  /**
   * Reports a conversion (e.g. a purchase) with its type and value.
   * @param params.conversionType What kind of conversion, e.g. `purchase`.
   * @param params.conversionValue Its value, e.g. the amount.
   * @param params.session The session; `"default"` when left out.
   * @param params.time When it happened; now when left out.
   * @throws {UnknownSessionError} 3000 unknownSession
   * @throws {NotPreparedError} 3001 notPrepared
   * @throws {BackendUnavailableError} 2000 backendUnavailable
   * @throws {OperationTimeoutError} 2002 timeout
   */
  analyticsConversion(params: AnalyticsConversionParams): Promise<AnalyticsConversionResult> {
    return this.request("analytics.conversion", params) as Promise<AnalyticsConversionResult>;
  }

  /**
   * Reports what happened to a proactive action: displayed, clicked, success or failed.
   * @param params.actionId The action's id, from the `proactive.action` event.
   * @param params.actionName The action's name, from the event.
   * @param params.actionType The action's type, from the event.
   * @param params.outcome What happened.
   * @param params.session The session; `"default"` when left out.
   * @throws {UnknownSessionError} 3000 unknownSession
   * @throws {NotPreparedError} 3001 notPrepared
   * @throws {BackendUnavailableError} 2000 backendUnavailable
   * @throws {OperationTimeoutError} 2002 timeout
   */
  analyticsProactiveAction(params: AnalyticsProactiveActionParams): Promise<AnalyticsProactiveActionResult> {
    return this.request("analytics.proactiveAction", params) as Promise<AnalyticsProactiveActionResult>;
  }

  /**
   * Sends a custom visitor event: any JSON value the contact centre has agreed with the host.
   *
   * Android's `customVisitor`: any JSON value, sent over the connection as a
   * `StoreVisitorEvents` frame exactly as Android sends it (labelled `ProactiveActionDisplayed`,
   * an SDK quirk the back end expects). Unlike the other analytics it needs a connection. An
   * extension beyond PRODUCT.md §3 (docs/parity.md).
   * @param params.data The event: any JSON value but `null`.
   * @param params.session The session; `"default"` when left out.
   * @throws {UnknownSessionError} 3000 unknownSession
   * @throws {NotConnectedError} 3002 notConnected
   * @throws {InvalidParameterError} 3008 invalidParameter
   */
  analyticsCustomVisitorEvent(params: AnalyticsCustomVisitorEventParams): Promise<AnalyticsCustomVisitorEventResult> {
    return this.request("analytics.customVisitorEvent", params) as Promise<AnalyticsCustomVisitorEventResult>;
  }

  /**
   * Returns the session's threads, without their messages.
   *
   * Without network traffic: the list is kept current by the daemon (`threads.updated`).
   * @param params.session The session to act on; `"default"` when left out.
   * @throws {UnknownSessionError} 3000 unknownSession
   * @throws {NotConnectedError} 3002 notConnected
   */
  threadsList(params: ThreadsListParams = {}): Promise<ThreadsListResult> {
    return this.request("threads.list", params) as Promise<ThreadsListResult>;
  }

  /**
   * Creates a new thread.
   *
   * The thread is `pending` (unknown to the back end) until its first message is sent; the
   * welcome message, if any, is already in it. Single-thread and live-chat channels allow one
   * open thread. Pre-chat survey answers go in `customFields`.
   * @param params.customFields Contact custom fields, including the pre-chat survey answers, by ident.
   * @param params.name The thread's name (multi-thread channels).
   * @param params.session The session; `"default"` when left out.
   * @throws {UnknownSessionError} 3000 unknownSession
   * @throws {NotConnectedError} 3002 notConnected
   * @throws {UnsupportedInModeError} 3005 unsupportedInMode
   * @throws {PreChatSurveyIncompleteError} 3104 preChatSurveyIncomplete
   * @throws {InvalidParameterError} 3008 invalidParameter
   */
  threadsCreate(params: ThreadsCreateParams = {}): Promise<ThreadsCreateResult> {
    return this.request("threads.create", params) as Promise<ThreadsCreateResult>;
  }

  /**
   * Loads a thread's history from the back end and returns it.
   *
   * Without `threadId`: the session's current thread in single-thread and live-chat channels, or
   * `null` when the customer has none yet (which is normal; create one with `threads.create`).
   * Loads the newest messages; `thread.loadMore` fetches older ones. A thread the back end does
   * not know yet (created here, its first message still queued) comes back as the daemon holds
   * it; one that neither knows is `null`.
   * @param params.session The session; `"default"` when left out.
   * @param params.threadId The thread; the current one (single-thread, live chat) when left out.
   * @throws {UnknownSessionError} 3000 unknownSession
   * @throws {NotConnectedError} 3002 notConnected
   * @throws {UnknownThreadError} 3100 unknownThread
   * @throws {BackendRejectedError} 2001 backendRejected
   * @throws {OperationTimeoutError} 2002 timeout
   */
  threadsLoad(params: ThreadsLoadParams = {}): Promise<ThreadsLoadResult> {
    return this.request("threads.load", params) as Promise<ThreadsLoadResult>;
  }

  /**
   * Returns a thread with the messages the daemon holds for it.
   *
   * Returns the messages loaded so far without asking the back end.
   * @param params.threadId The thread.
   * @param params.session The session; `"default"` when left out.
   * @throws {UnknownSessionError} 3000 unknownSession
   * @throws {UnknownThreadError} 3100 unknownThread
   */
  threadsGet(params: ThreadsGetParams): Promise<ThreadsGetResult> {
    return this.request("threads.get", params) as Promise<ThreadsGetResult>;
  }

  /**
   * Returns the channel's pre-chat survey, or null when it has none.
   * @param params.session The session to act on; `"default"` when left out.
   * @throws {UnknownSessionError} 3000 unknownSession
   * @throws {NotPreparedError} 3001 notPrepared
   */
  threadsPreChatSurvey(params: ThreadsPreChatSurveyParams = {}): Promise<ThreadsPreChatSurveyResult> {
    return this.request("threads.preChatSurvey", params) as Promise<ThreadsPreChatSurveyResult>;
  }

  /**
   * Sends a message (text, postback, attachments) in a thread.
   *
   * Needs `text`, `postback` or at least one attachment. Returns at once with the message in
   * status `queued` (waiting for the connection) or `sent`; `message.updated` events follow
   * (`delivered`, `seen`, `read`, or `failed` with the error). To answer a button, send its text
   * and postback. Sending to a `pending` thread creates it on the back end.
   * @param params.threadId The thread.
   * @param params.attachments Files to attach.
   * @param params.clientMessageId A UUID of your choosing that becomes the message id; sending again with the same id does not send the message twice. The daemon mints one when left out.
   * @param params.postback The postback of the button being answered.
   * @param params.session The session; `"default"` when left out.
   * @param params.text The text.
   * @throws {UnknownSessionError} 3000 unknownSession
   * @throws {NotConnectedError} 3002 notConnected
   * @throws {UnknownThreadError} 3100 unknownThread
   * @throws {ThreadClosedError} 3101 threadClosed
   * @throws {AttachmentRejectedError} 3105 attachmentRejected
   * @throws {InvalidParameterError} 3008 invalidParameter
   * @throws {BackendRejectedError} 2001 backendRejected
   * @throws {OperationTimeoutError} 2002 timeout
   */
  threadSend(params: ThreadSendParams): Promise<ThreadSendResult> {
    return this.request("thread.send", params) as Promise<ThreadSendResult>;
  }

  /**
   * Loads older messages of a thread and returns them.
   * @param params.threadId The thread.
   * @param params.session The session; `"default"` when left out.
   * @throws {UnknownSessionError} 3000 unknownSession
   * @throws {NotConnectedError} 3002 notConnected
   * @throws {UnknownThreadError} 3100 unknownThread
   * @throws {NoMoreMessagesError} 3103 noMoreMessages
   * @throws {BackendRejectedError} 2001 backendRejected
   * @throws {OperationTimeoutError} 2002 timeout
   */
  threadLoadMore(params: ThreadLoadMoreParams): Promise<ThreadLoadMoreResult> {
    return this.request("thread.loadMore", params) as Promise<ThreadLoadMoreResult>;
  }

  /**
   * Renames a thread (multi-thread channels).
   * @param params.name The new name.
   * @param params.threadId The thread.
   * @param params.session The session; `"default"` when left out.
   * @throws {UnknownSessionError} 3000 unknownSession
   * @throws {NotConnectedError} 3002 notConnected
   * @throws {UnknownThreadError} 3100 unknownThread
   * @throws {ThreadClosedError} 3101 threadClosed
   * @throws {UnsupportedInModeError} 3005 unsupportedInMode
   * @throws {BackendRejectedError} 2001 backendRejected
   */
  threadRename(params: ThreadRenameParams): Promise<ThreadRenameResult> {
    return this.request("thread.rename", params) as Promise<ThreadRenameResult>;
  }

  /**
   * Archives a thread (multi-thread channels).
   *
   * The thread becomes `closed` and takes no more messages.
   * @param params.threadId The thread.
   * @param params.session The session; `"default"` when left out.
   * @throws {UnknownSessionError} 3000 unknownSession
   * @throws {NotConnectedError} 3002 notConnected
   * @throws {UnknownThreadError} 3100 unknownThread
   * @throws {UnsupportedInModeError} 3005 unsupportedInMode
   * @throws {BackendRejectedError} 2001 backendRejected
   * @throws {OperationTimeoutError} 2002 timeout
   */
  threadArchive(params: ThreadArchiveParams): Promise<ThreadArchiveResult> {
    return this.request("thread.archive", params) as Promise<ThreadArchiveResult>;
  }

  /**
   * Marks every message of a thread as seen by the customer.
   * @param params.threadId The thread.
   * @param params.session The session; `"default"` when left out.
   * @throws {UnknownSessionError} 3000 unknownSession
   * @throws {NotConnectedError} 3002 notConnected
   * @throws {UnknownThreadError} 3100 unknownThread
   */
  threadMarkRead(params: ThreadMarkReadParams): Promise<ThreadMarkReadResult> {
    return this.request("thread.markRead", params) as Promise<ThreadMarkReadResult>;
  }

  /**
   * Tells the agent whether the customer is typing.
   *
   * Send `isTyping: false` when the customer stops typing (e.g. 1.5 s after the last key).
   * @param params.isTyping Whether the customer is typing now.
   * @param params.threadId The thread.
   * @param params.preview What the customer has typed so far, shown to the agent as a preview of the message (the web SDK's typing preview: send it when the customer pauses, at most every second or so). Up to 10,000 characters.
   * @param params.session The session; `"default"` when left out.
   * @throws {UnknownSessionError} 3000 unknownSession
   * @throws {NotConnectedError} 3002 notConnected
   * @throws {UnknownThreadError} 3100 unknownThread
   * @throws {ThreadClosedError} 3101 threadClosed
   */
  threadTyping(params: ThreadTypingParams): Promise<ThreadTypingResult> {
    return this.request("thread.typing", params) as Promise<ThreadTypingResult>;
  }

  /**
   * Ends the live-chat conversation of a thread.
   *
   * The back end confirms with a `contact.status` event (`closed`); the chat state becomes
   * `closed`. Start a new conversation with `threads.create`.
   * @param params.threadId The thread.
   * @param params.session The session; `"default"` when left out.
   * @throws {UnknownSessionError} 3000 unknownSession
   * @throws {NotConnectedError} 3002 notConnected
   * @throws {UnknownThreadError} 3100 unknownThread
   * @throws {UnsupportedInModeError} 3005 unsupportedInMode
   * @throws {IllegalThreadStateError} 3102 illegalThreadState
   */
  threadEndContact(params: ThreadEndContactParams): Promise<ThreadEndContactResult> {
    return this.request("thread.endContact", params) as Promise<ThreadEndContactResult>;
  }

  /**
   * E-mails the transcript of a thread's conversation.
   * @param params.email Where to send it.
   * @param params.threadId The thread.
   * @param params.session The session; `"default"` when left out.
   * @throws {UnknownSessionError} 3000 unknownSession
   * @throws {NotConnectedError} 3002 notConnected
   * @throws {UnknownThreadError} 3100 unknownThread
   * @throws {FeatureDisabledError} 3006 featureDisabled
   * @throws {IllegalThreadStateError} 3102 illegalThreadState
   * @throws {InvalidParameterError} 3008 invalidParameter
   * @throws {BackendRejectedError} 2001 backendRejected
   * @throws {OperationTimeoutError} 2002 timeout
   */
  threadSendTranscript(params: ThreadSendTranscriptParams): Promise<ThreadSendTranscriptResult> {
    return this.request("thread.sendTranscript", params) as Promise<ThreadSendTranscriptResult>;
  }

  /**
   * Sets custom fields of a thread's contact (case).
   *
   * Values are merged into the contact's fields. For a `pending` thread they are sent with its
   * first message.
   * @param params.customFields The values to set, by ident.
   * @param params.threadId The thread.
   * @param params.session The session; `"default"` when left out.
   * @throws {UnknownSessionError} 3000 unknownSession
   * @throws {NotConnectedError} 3002 notConnected
   * @throws {UnknownThreadError} 3100 unknownThread
   * @throws {ThreadClosedError} 3101 threadClosed
   * @throws {InvalidParameterError} 3008 invalidParameter
   */
  threadSetCustomFields(params: ThreadSetCustomFieldsParams): Promise<ThreadSetCustomFieldsResult> {
    return this.request("thread.setCustomFields", params) as Promise<ThreadSetCustomFieldsResult>;
  }
}

/** The data of each event kind. */
export interface EventDataMap {
  /**
   * The session's chat state changed (e.g. connecting → ready).
   */
  "chat.stateChanged": ChatStateChanged;
  /**
   * The connection to the back end dropped; the daemon reconnects by itself when `reconnecting` is
   * true. Calls needing the back end fail with notConnected meanwhile.
   */
  "connection.lost": ConnectionLost;
  /**
   * The connection to the back end is back and the session's threads were recovered; messages that
   * arrived meanwhile follow as events.
   */
  "connection.restored": ConnectionRestored;
  /**
   * A thread changed (name, state, agent, unread count, last message); replace your copy.
   */
  "thread.updated": ThreadUpdated;
  /**
   * The list of threads changed (created, archived, recovered); replace your whole list.
   */
  "threads.updated": ThreadsUpdated;
  /**
   * A message was added to a thread: from the contact centre, or your own once the daemon accepted
   * it.
   */
  "message.created": MessageCreated;
  /**
   * A message's status changed (queued, sent, delivered, seen, read, failed); replace your copy. A
   * failed message carries the error.
   */
  "message.updated": MessageUpdated;
  /**
   * An agent started or stopped typing in a thread.
   */
  "agent.typing": AgentTyping;
  /**
   * A thread's agent changed (assigned, transferred, or unassigned when agent is absent).
   */
  "agent.assigned": AgentAssigned;
  /**
   * Live chat: the customer's position in the routing queue changed.
   */
  "queue.position": QueuePosition;
  /**
   * A thread's contact (case) changed status; closed means the conversation ended and the thread
   * takes no more messages.
   */
  "contact.status": ContactStatusChanged;
  /**
   * The contact centre pushed a proactive action (welcome message or pop-up); report what you did
   * with analytics.proactiveAction.
   */
  "proactive.action": ProactiveActionFired;
  /**
   * The back end sent an event this API does not model; its payload is passed through as is.
   */
  "custom.event": CustomEvent;
  /**
   * Custom fields of the customer or of a thread's contact were set (by a call, or by a proactive
   * action's hand-over).
   */
  "customFields.set": CustomFieldsSet;
  /**
   * Renewing the customer's login failed; get a new authorization code and call customer.authorize.
   */
  "token.refreshFailed": TokenRefreshFailed;
  /**
   * Something failed in the background (not in answer to a call); the error says what and what to
   * do.
   */
  "error": ErrorEvent;
  /**
   * This subscriber fell behind and events were dropped for it; subscribe again with since = this
   * event's epoch and seq to get them back.
   */
  "events.lagged": EventsLagged;
  /**
   * Events cannot be replayed from the requested position (daemon restarted, or too old); re-read
   * state, then continue from this event's seq.
   */
  "events.resyncRequired": ResyncRequired;
  /**
   * The daemon is stopping or restarting; reconnect after it is back and subscribe with since to
   * resume.
   */
  "daemon.shutdown": DaemonShutdown;
}

/** Every event kind, as listed in the document. */
export const EVENT_KINDS = ["chat.stateChanged","connection.lost","connection.restored","thread.updated","threads.updated","message.created","message.updated","agent.typing","agent.assigned","queue.position","contact.status","proactive.action","custom.event","customFields.set","token.refreshFailed","error","events.lagged","events.resyncRequired","daemon.shutdown"] as const;

/**
 * -32700 parseError.
 *
 * Parse error: the line is not valid UTF-8 JSON. Send exactly one JSON-RPC message (or batch
 * array) per line.
 */
export class ParseError extends RpcError {}

/**
 * -32603 internalError.
 *
 * Internal error in the daemon. Please report it with error.data.correlationId; the daemon keeps
 * running.
 */
export class InternalError extends RpcError {}

/**
 * -32602 invalidParams.
 *
 * Invalid params: pass parameters by name as a JSON object matching the method's schema;
 * error.data.field names the offending parameter.
 */
export class InvalidParamsError extends RpcError {}

/**
 * -32601 methodNotFound.
 *
 * Method not found: check the method name against rpc.discover.
 */
export class MethodNotFoundError extends RpcError {}

/**
 * -32600 invalidRequest.
 *
 * Invalid request: this is not a JSON-RPC 2.0 request object. It needs "jsonrpc": "2.0", a string
 * "method" and, for a call, an "id"; see error.data.detail.
 */
export class InvalidRequestError extends RpcError {}

/**
 * -32012 storageDamaged.
 *
 * A state file of the daemon was damaged. What could be read was kept; error.data.detail says what
 * was lost and where the damaged file was moved for inspection.
 */
export class StorageDamagedError extends RpcError {}

/**
 * -32011 storageUnavailable.
 *
 * The daemon's state directory cannot be written (read-only, wrong permissions or a failing disk).
 * Make it writable for the daemon's user and retry.
 */
export class StorageUnavailableError extends RpcError {}

/**
 * -32010 storageFull.
 *
 * The daemon's state directory is full, so the message could not be kept safe. Free space on the
 * file system of the state directory (daemon.status shows it) and retry.
 */
export class StorageFullError extends RpcError {}

/**
 * -32004 requestCancelled.
 *
 * The request was cancelled before it completed (session closed or daemon stopping). Retry it if
 * it is still needed.
 */
export class RequestCancelledError extends RpcError {}

/**
 * -32003 overloaded.
 *
 * The daemon is overloaded or this client fell behind. Slow down and retry; re-subscribe to events
 * with since to catch up.
 */
export class OverloadedError extends RpcError {}

/**
 * -32002 peerNotAuthorized.
 *
 * This client's user is not allowed to use the daemon. Run it as an allowed user or group (see the
 * daemon's configuration).
 */
export class PeerNotAuthorizedError extends RpcError {}

/**
 * -32001 daemonNotReady.
 *
 * The daemon is starting and not ready yet. Retry in a moment; daemon.status reports when it is
 * ready.
 */
export class DaemonNotReadyError extends RpcError {}

/**
 * 1000 authorizationRequired.
 *
 * This channel requires customer login. Call customer.authorize with an authorization code (and
 * PKCE verifier) from your identity provider, then connect again.
 */
export class AuthorizationRequiredError extends RpcError {}

/**
 * 1001 authorizationFailed.
 *
 * The back end rejected the customer's authorization. Get a new authorization code from your
 * identity provider and call customer.authorize again.
 */
export class AuthorizationFailedError extends RpcError {}

/**
 * 1002 tokenExpired.
 *
 * The customer's access token expired and cannot be renewed silently. Get a new authorization code
 * and call customer.authorize.
 */
export class TokenExpiredError extends RpcError {}

/**
 * 1003 tokenRefreshFailed.
 *
 * Refreshing the customer's access token failed. Get a new authorization code from your identity
 * provider and call customer.authorize.
 */
export class TokenRefreshFailedError extends RpcError {}

/**
 * 2000 backendUnavailable.
 *
 * The CXone back end cannot be reached. Check the network; retry later (the daemon also reconnects
 * by itself).
 */
export class BackendUnavailableError extends RpcError {}

/**
 * 2001 backendRejected.
 *
 * The CXone back end rejected the request; error.data.backendCode and error.data.backendStatus
 * carry its answer.
 */
export class BackendRejectedError extends RpcError {}

/**
 * 2002 timeout.
 *
 * The CXone back end did not answer in time. Retry the call.
 */
export class OperationTimeoutError extends RpcError {}

/**
 * 2003 channelUnavailable.
 *
 * The channel's configuration could not be loaded. Check environment, brandId and channelId in
 * session.prepare.
 */
export class ChannelUnavailableError extends RpcError {}

/**
 * 2004 versionNotSupported.
 *
 * The CXone back end no longer supports this version of cxone-chatd. Upgrade the daemon.
 */
export class VersionNotSupportedError extends RpcError {}

/**
 * 3000 unknownSession.
 *
 * No session with this name. Call session.prepare for it first (omit "session" to use "default").
 */
export class UnknownSessionError extends RpcError {}

/**
 * 3001 notPrepared.
 *
 * The session is not prepared. Call session.prepare (or app.foreground) first.
 */
export class NotPreparedError extends RpcError {}

/**
 * 3002 notConnected.
 *
 * The session is not connected. Call session.connect, or wait for connection.restored if the
 * daemon is reconnecting, then retry.
 */
export class NotConnectedError extends RpcError {}

/**
 * 3003 illegalChatState.
 *
 * This call is not allowed in the session's current chat state (see session.state);
 * error.data.detail says which states allow it.
 */
export class IllegalChatStateError extends RpcError {}

/**
 * 3004 sessionConflict.
 *
 * A session with this name already exists for another brand, channel or environment. Close it with
 * session.close or use another session name.
 */
export class SessionConflictError extends RpcError {}

/**
 * 3005 unsupportedInMode.
 *
 * This call is not available in the channel's chat mode (see session.state mode), for example a
 * second thread in single-thread mode.
 */
export class UnsupportedInModeError extends RpcError {}

/**
 * 3006 featureDisabled.
 *
 * The channel's configuration disables this feature. Ask the CXone administrator to enable it for
 * the channel.
 */
export class FeatureDisabledError extends RpcError {}

/**
 * 3007 chatOffline.
 *
 * Live chat is offline (no agents available). Try again later; the chat state stays offline until
 * then.
 */
export class ChatOfflineError extends RpcError {}

/**
 * 3008 invalidParameter.
 *
 * A parameter has an unacceptable value; error.data.field names it and error.data.detail says why.
 * Fix the value and call again.
 */
export class InvalidParameterError extends RpcError {}

/**
 * 3100 unknownThread.
 *
 * No thread with this id in the session. Call threads.list (or threads.load) to get the current
 * thread ids.
 */
export class UnknownThreadError extends RpcError {}

/**
 * 3101 threadClosed.
 *
 * The thread is closed or archived and takes no more messages. Create a new one with
 * threads.create.
 */
export class ThreadClosedError extends RpcError {}

/**
 * 3102 illegalThreadState.
 *
 * This call is not allowed in the thread's current state (see the thread's state);
 * error.data.detail says why.
 */
export class IllegalThreadStateError extends RpcError {}

/**
 * 3103 noMoreMessages.
 *
 * There are no older messages in this thread. Stop calling thread.loadMore for it.
 */
export class NoMoreMessagesError extends RpcError {}

/**
 * 3104 preChatSurveyIncomplete.
 *
 * The pre-chat survey is incomplete. Read it with threads.preChatSurvey and pass every required
 * field in customFields of threads.create.
 */
export class PreChatSurveyIncompleteError extends RpcError {}

/**
 * 3105 attachmentRejected.
 *
 * The attachment was rejected; error.data.detail says why (file type, size, unreadable path, or
 * attachments disabled). Send a supported file.
 */
export class AttachmentRejectedError extends RpcError {}

/** The error class of each error code of the API. */
export const ERRORS_BY_CODE: Record<number, typeof RpcError> = {
  "-32700": ParseError,
  "-32603": InternalError,
  "-32602": InvalidParamsError,
  "-32601": MethodNotFoundError,
  "-32600": InvalidRequestError,
  "-32012": StorageDamagedError,
  "-32011": StorageUnavailableError,
  "-32010": StorageFullError,
  "-32004": RequestCancelledError,
  "-32003": OverloadedError,
  "-32002": PeerNotAuthorizedError,
  "-32001": DaemonNotReadyError,
  "1000": AuthorizationRequiredError,
  "1001": AuthorizationFailedError,
  "1002": TokenExpiredError,
  "1003": TokenRefreshFailedError,
  "2000": BackendUnavailableError,
  "2001": BackendRejectedError,
  "2002": OperationTimeoutError,
  "2003": ChannelUnavailableError,
  "2004": VersionNotSupportedError,
  "3000": UnknownSessionError,
  "3001": NotPreparedError,
  "3002": NotConnectedError,
  "3003": IllegalChatStateError,
  "3004": SessionConflictError,
  "3005": UnsupportedInModeError,
  "3006": FeatureDisabledError,
  "3007": ChatOfflineError,
  "3008": InvalidParameterError,
  "3100": UnknownThreadError,
  "3101": ThreadClosedError,
  "3102": IllegalThreadStateError,
  "3103": NoMoreMessagesError,
  "3104": PreChatSurveyIncompleteError,
  "3105": AttachmentRejectedError,
};
