/** Wire schemas of the native search routes (messages and chats). */
import { Type } from 'typebox';
import { QUERY_MAX_LENGTH } from '../../core/search-query.js';
import { SEARCH_LIMIT_DEFAULT, SEARCH_LIMIT_MAX } from '../../core/search.service.js';
import { MAX_RECORD_ID } from '../validation.js';
import { ChatInfo, MessageInfo } from './chats.schemas.js';
import { PageQuery } from '../../edge/paging.js';

const Query = Type.String({
  minLength: 1,
  maxLength: QUERY_MAX_LENGTH,
  description: 'Words (all must match), `prefix*`, `"quoted phrases"`, `-excluded` words or phrases; case and accents are ignored',
});

export const MessageSearchQuery = Type.Object({
  q: Query,
  chatId: Type.Optional(Type.String({ format: 'uuid', description: 'Only this chat' })),
  from: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_RECORD_ID, description: 'Only messages by this user' })),
  after: Type.Optional(Type.String({ format: 'date-time', description: 'Only messages sent after this time' })),
  before: Type.Optional(Type.String({ format: 'date-time', description: 'Only messages sent before this time' })),
  sort: Type.Union([Type.Literal('relevance'), Type.Literal('recent')], {
    default: 'relevance',
    description: '`relevance` (newer first among equals) or `recent` (newest first)',
  }),
  limit: Type.Integer({ minimum: 1, maximum: SEARCH_LIMIT_MAX, default: SEARCH_LIMIT_DEFAULT }),
  cursor: Type.Optional(Type.String({ maxLength: 512, description: 'The `nextCursor` of the previous page' })),
});

export const HighlightSegment = Type.Object({
  text: Type.String(),
  match: Type.Boolean({ description: 'True for the words the query matched' }),
});

export const MessageSearchResult = Type.Object({
  message: MessageInfo,
  chatId: Type.String({ format: 'uuid' }),
  highlight: Type.Array(HighlightSegment, { description: 'The message text in pieces; joined, they are the text' }),
});

export const MessageSearchPage = Type.Object({
  results: Type.Array(MessageSearchResult),
  nextCursor: Type.Union([Type.String(), Type.Null()], { description: 'Pass as `cursor` for the next page; null on the last page' }),
});

export const ChatSearchQuery = Type.Object({ q: Query, ...PageQuery().properties });
export const ChatSearchResults = Type.Array(ChatInfo);
