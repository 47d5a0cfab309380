/**
 * Named types of the native API, read off the types generated from `/openapi.json`
 * (`generated/openapi.ts`), so that they follow the server's schemas.
 */
import type { paths } from './generated/openapi.js';

type Json<T> = T extends { content: { 'application/json': infer R } } ? R : never;
/** The 200 answer of `method path`. */
export type Answer<P extends keyof paths, M extends keyof paths[P]> = paths[P][M] extends { responses: { 200: infer R } } ? Json<R> : never;
/** The answer of `method path` with status `S` (e.g. 201). */
export type AnswerWith<P extends keyof paths, M extends keyof paths[P], S extends number> = paths[P][M] extends { responses: { [K in S]: infer R } }
  ? Json<R>
  : never;
/** The JSON body of `method path`. */
export type BodyOf<P extends keyof paths, M extends keyof paths[P]> = paths[P][M] extends { requestBody?: infer B } ? Json<NonNullable<B>> : never;
/** The query of `method path`. */
export type QueryOf<P extends keyof paths, M extends keyof paths[P]> = paths[P][M] extends { parameters: { query?: infer Q } } ? NonNullable<Q> : never;

export type UserInfo = Answer<'/users/{id}', 'get'>;
export type MeInfo = Answer<'/users/me', 'get'>;
export type AuthAnswer = Answer<'/users', 'post'>;
export type MediaInfo = UserInfo['photos'][number];
export type ChatInfo = Answer<'/chats/{id}', 'get'>;
export type MessageInfo = Answer<'/chats/{id}/messages', 'post'>;
export type ContactInfo = Answer<'/users/me/contacts', 'post'>;
export type UploadAnswer = Answer<'/uploads', 'post'>;
export type OwnPresence = Answer<'/users/me/presence', 'get'>;
export type PresenceSetting = BodyOf<'/users/me/presence', 'put'>['status'];
/** A user's presence (the `presence` socket event's payload too). */
export type PresenceInfo = Answer<'/users/presence', 'get'>[number];

export type RegisterBody = BodyOf<'/users', 'post'>;
export type LoginBody = BodyOf<'/users/login', 'post'>;
export type UpdateMeBody = BodyOf<'/users/me', 'put'>;
export type CreateChatBody = BodyOf<'/chats', 'post'>;
export type SendMessageBody = BodyOf<'/chats/{id}/messages', 'post'>;
export type EditMessageBody = BodyOf<'/chats/{id}/messages/{messageId}', 'put'>;
export type NotifyBody = BodyOf<'/chats/{id}/notify', 'post'>;
export type ChatSettingsBody = BodyOf<'/chats/{id}/settings', 'put'>;
export type ContactBody = BodyOf<'/users/me/contacts', 'post'>;
export type SearchQuery = Partial<QueryOf<'/users', 'get'>>;
export type HistoryQuery = Partial<QueryOf<'/chats/{id}/messages', 'get'>>;
/** `GET /search/messages`: `q` and optional filters (`chatId`, `from`, `after`, `before`), `sort`, `limit`, `cursor`. */
export type MessageSearchQuery = { q: string } & Partial<Omit<QueryOf<'/search/messages', 'get'>, 'q'>>;
export type MessageSearchPage = Answer<'/search/messages', 'get'>;
/** One found message: the message, its chat and its text in pieces with the matched words marked. */
export type MessageSearchResult = MessageSearchPage['results'][number];
export type ReadMark = MessageInfo['readMarks'][number];
/** One emoji on a message: how many used it, and whether the caller did. */
export type Reaction = MessageInfo['reactions'][number];
/** The part of a replied-to message a reply shows. */
export type ReplyTo = NonNullable<MessageInfo['replyTo']>;
/** A text a message had before an edit, and when the edit replaced it. */
export type EditEntry = Answer<'/chats/{id}/messages/{messageId}/history', 'get'>[number];
/** What a file is attached as: `{id, fileType, fileSize}` (the server's own record wins). */
export type MediaRef = NonNullable<SendMessageBody['attachment']>;
/** A group role: `owner` (one), `admin`, `member`. */
export type ChatRole = BodyOf<'/chats/{id}/users/{userId}/role', 'put'>['role'];
/** A ban in a group: who, by whom, since when. */
export type BanInfo = Answer<'/chats/{id}/bans', 'get'>[number];
/** A chat's retention: its own days (null: the server's) and what applies (null: kept forever). */
export type RetentionInfo = Answer<'/chats/{id}/retention', 'get'>;
/** A data export that is running. */
export type ExportStatus = AnswerWith<'/users/me/export', 'post', 202>;
