/** Wire schemas of the native CHATS and CONTACTS APIs. */
import { Type } from 'typebox';
import { MAX_ADDED_PER_CALL, MAX_PARTICIPANTS_AT_CREATION, TITLE_MAX } from '../../core/chats.service.js';
import { CONTACT_NAME_MAX } from '../../core/contacts.service.js';
import { HISTORY_DEFAULT, HISTORY_MAX } from '../../core/message-rules.js';
import { MEDIA_ID_PATTERN } from '../../core/media-names.js';
import { MAX_RECORD_ID } from '../validation.js';
import { CursorParam, PageQuery } from '../../edge/paging.js';
import { MediaInfo } from './media.schemas.js';
import { UserInfo } from './users.schemas.js';

const UserId = Type.Integer({ minimum: 1, maximum: MAX_RECORD_ID });
const Uuid = Type.String({ format: 'uuid' });

export const ChatParams = Type.Object({ id: Uuid });
export const ChatUserParams = Type.Object({ id: Uuid, userId: UserId });
/** A message is named by its public id, the UUID of MessageInfo `id` (integer row ids are not accepted). */
export const MessageId = Type.String({ format: 'uuid', description: 'The message’s id (MessageInfo `id`, a UUID)' });
export const MessageParams = Type.Object({ id: Uuid, messageId: MessageId });
export const ReactionParams = Type.Object({
  id: Uuid,
  messageId: MessageId,
  emoji: Type.String({ minLength: 1, maxLength: 64, description: 'One emoji (URL-encoded) or a :shortcode: of at most 32 characters' }),
});
export const EditEntry = Type.Object({
  text: Type.String({ description: 'The text before this edit' }),
  editedAt: Type.String({ format: 'date-time', description: 'When this edit replaced it' }),
});
export const ContactParams = Type.Object({ id: Uuid });

export const ReadMark = Type.Object({ id: Type.String(), user: UserInfo, createdAt: Type.String({ format: 'date-time' }) });

export const Reaction = Type.Object({
  emoji: Type.String({ description: 'One emoji, or a :shortcode:' }),
  count: Type.Integer({ minimum: 1 }),
  me: Type.Boolean({ description: 'The caller is among those who reacted so' }),
});

export const ReplyTo = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    authorId: Type.Integer(),
    text: Type.String({ description: 'The first 200 characters (empty once deleted)' }),
    isVisible: Type.Boolean({ description: 'False once deleted or hidden' }),
  },
  { description: 'The message this one replies to' },
);

export const ThreadSummary = Type.Object(
  {
    count: Type.Integer({ minimum: 1, description: 'Replies, deleted ones not counted' }),
    lastReplyAt: Type.String({ format: 'date-time', description: 'When the newest reply was sent' }),
    participants: Type.Array(Type.Integer(), { description: 'The replies’ authors (user ids), in the order of their first reply' }),
  },
  { description: 'The replies in this message’s thread; absent when it has none' },
);

export const MessageInfo = Type.Object({
  id: Type.String({ format: 'uuid', description: 'A UUIDv7: time-ordered' }),
  seq: Type.Integer({ description: 'Per chat, gap-free, increasing (thread replies take seqs of the chat too, so the main history skips theirs)' }),
  localId: Type.String(),
  chatId: Type.String({ format: 'uuid' }),
  authorId: Type.Integer({ description: 'The author’s user id' }),
  author: UserInfo,
  text: Type.String(),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
  editedAt: Type.Optional(Type.String({ format: 'date-time' })),
  deletedAt: Type.Optional(Type.String({ format: 'date-time' })),
  deletedBy: Type.Optional(Type.Integer({ description: 'The owner or admin who deleted the message; absent when its author did' })),
  isDeletedByModerator: Type.Optional(Type.Boolean({ description: 'true when an owner or admin deleted it (then deletedBy names them)' })),
  isVisible: Type.Boolean(),
  fileExists: Type.Optional(Type.Boolean()),
  previewExists: Type.Optional(Type.Boolean()),
  attachments: Type.Array(MediaInfo),
  readMarks: Type.Array(ReadMark),
  reactions: Type.Array(Reaction, { description: 'In first-use order' }),
  replyTo: Type.Optional(ReplyTo),
  threadId: Type.Optional(Type.String({ format: 'uuid', description: 'For a reply in a thread: the id of its root' })),
  thread: Type.Optional(ThreadSummary),
  mentions: Type.Array(Type.Integer(), { description: 'Members the text mentions (@username, @all)' }),
  deliveredTo: Type.Array(Type.Integer(), { description: 'Recipients a device of whom confirmed receiving it' }),
});

const Notify = Type.Union([Type.Literal('all'), Type.Literal('mentions'), Type.Literal('none')], {
  description: 'Which messages push to the caller: all, only those mentioning them, none (the same as isMuted)',
});

export const ChatInfo = Type.Object({
  id: Type.String({ format: 'uuid' }),
  title: Type.Optional(Type.String()),
  isPersonal: Type.Boolean(),
  owner: UserInfo,
  allUsers: Type.Array(UserInfo, { description: 'Current members (in GET /chats only with full=1, except personal chats)' }),
  addedUsers: Type.Optional(Type.Array(UserInfo)),
  removedUsers: Type.Optional(Type.Array(UserInfo)),
  lastMessage: Type.Optional(MessageInfo),
  images: Type.Array(MediaInfo),
  isMuted: Type.Boolean(),
  notify: Notify,
  isArchived: Type.Boolean(),
  isBlocked: Type.Boolean(),
  unreadCount: Type.Integer({ description: 'Messages by others after the caller’s read mark (Parley addition)' }),
  pinned: Type.Array(Type.String({ format: 'uuid' }), { description: 'Pinned message ids, oldest pin first' }),
  roles: Type.Optional(
    Type.Record(Type.String({ pattern: '^[0-9]+$' }), Type.Union([Type.Literal('owner'), Type.Literal('admin')]), {
      description: 'Groups: the owner and the admins by user id (everyone else is a member); with the member list only',
    }),
  ),
});

export const ContactInfo = Type.Object({
  id: Type.String({ format: 'uuid' }),
  name: Type.Optional(Type.String()),
  isFavorite: Type.Boolean(),
  isBlocked: Type.Boolean(),
  user: UserInfo,
});

export const CreateChatBody = Type.Object({
  title: Type.Optional(Type.String({ maxLength: TITLE_MAX })),
  participants: Type.Array(UserId, { minItems: 1, maxItems: MAX_PARTICIPANTS_AT_CREATION }),
  isPersonal: Type.Optional(Type.Boolean()),
});

export const ListChatsQuery = Type.Object({
  full: Type.Optional(Type.Union([Type.Literal('1'), Type.Literal('0'), Type.Literal('true'), Type.Literal('false')])),
  ...PageQuery().properties,
});

export const TitleBody = Type.Object({ title: Type.String({ maxLength: TITLE_MAX }) });
export const SettingsBody = Type.Object({
  isMuted: Type.Optional(Type.Boolean()),
  notify: Type.Optional(Notify),
  isArchived: Type.Optional(Type.Boolean()),
  isRemovedOnDevice: Type.Optional(Type.Boolean()),
});
export const UsersBody = Type.Object({ users: Type.Array(UserId, { minItems: 1, maxItems: MAX_ADDED_PER_CALL }) });

const MediaRef = Type.Object({
  id: Type.String({ pattern: MEDIA_ID_PATTERN, description: 'The id (name without extension) of an upload of the caller’s' }),
  fileType: Type.Optional(Type.String({ maxLength: 10, description: 'Advisory' })),
  fileSize: Type.Optional(Type.Integer({ minimum: 0, description: 'Advisory' })),
});

export const SendBody = Type.Object({
  localId: Type.String({ minLength: 1, maxLength: 128, description: 'Client-made; the same author and localId never make a second message' }),
  text: Type.Optional(Type.String({ description: 'Up to 2048 bytes (UTF-8); required without an attachment' })),
  isVisible: Type.Optional(Type.Boolean()),
  replyTo: Type.Optional(Type.String({ format: 'uuid', description: 'The id of the message of this chat this one replies to' })),
  threadId: Type.Optional(
    Type.String({
      format: 'uuid',
      description: 'Reply in the thread of this main-history message of the chat (its root); the reply stays out of the main history',
    }),
  ),
  attachment: Type.Optional(
    Type.Object(
      {
        id: Type.Optional(Type.String({ pattern: MEDIA_ID_PATTERN })),
        fileType: Type.String({ minLength: 1, maxLength: 10 }),
        fileSize: Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER }),
      },
      { description: 'An upload of the caller’s by id; without id the server reserves one (upload the file later with File-Name: <id>)' },
    ),
  ),
});

export const ImageBody = Type.Object({ image: MediaRef });
export const ChatImageParams = Type.Object({ id: Uuid, imageId: Type.String({ pattern: MEDIA_ID_PATTERN }) });
export const HistoryQuery = Type.Object({
  count: Type.Integer({ minimum: 1, maximum: HISTORY_MAX, default: HISTORY_DEFAULT }),
  before: Type.Optional(Type.String({ format: 'uuid', description: 'The id (UUID) of the message to page back from' })),
  cursor: CursorParam,
});
/** GET /chats/<id>/messages: `before` pages back, `after` forwards (both newest first), `cursor` from a `Link` header either way. */
export const MessagesQuery = Type.Object({
  ...HistoryQuery.properties,
  after: Type.Optional(Type.String({ format: 'uuid', description: 'The id (UUID) of the message to page forward from (towards the newest)' })),
});
export const EditBody = Type.Object({
  text: Type.Optional(Type.String()),
  isVisible: Type.Optional(Type.Boolean()),
  fileExists: Type.Optional(Type.Boolean()),
  previewExists: Type.Optional(Type.Boolean()),
});
export const NotifyBody = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 64 }),
  text: Type.Optional(Type.String({ maxLength: 2048 })),
  realm: Type.Optional(Type.Union([Type.Literal('webSocket'), Type.Literal('push'), Type.Literal('all')])),
  data: Type.Optional(Type.Unknown()),
});

export const ContactBody = Type.Object({
  name: Type.Optional(Type.String({ maxLength: CONTACT_NAME_MAX })),
  isFavorite: Type.Optional(Type.Boolean()),
  user: Type.Object({ id: UserId }),
});
