/**
 * The V-app wire shapes (seed 000). Body fields are optional in the schemas so that every
 * missing one is reported together, the seed's way ("must exist"), by the service; the
 * schemas still refuse a wrong type. Unknown fields are ignored.
 */
import { Type } from 'typebox';

const Text = (description: string) => Type.Optional(Type.String({ description }));

export const SignupBody = Type.Object({
  name: Text('Required. The user name (Parley username rules: 3 to 32 of a-z, 0-9, ".", "_", "-"; case-folded).'),
  password: Text('Required. At least 8 characters.'),
  display_name: Text('Required. 3 to 64 characters.'),
});

export const LoginBody = Type.Object({
  name: Text('Required.'),
  password: Text('Required.'),
  code: Type.Optional(Type.String({ maxLength: 64, description: 'The two-factor code (or a recovery code) of an account that has two-factor sign-in.' })),
});

export const VappUser = Type.Object({
  id: Type.String({ description: 'The Vonage user id when provisioned, else USR-<uid>' }),
  name: Type.String(),
  display_name: Type.String(),
  image_url: Type.String({ description: 'Absolute URL of the newest photo, else of a default avatar (SVG with initials)' }),
});

export const UserList = Type.Array(VappUser);

export const SessionAnswer = Type.Object({
  user: VappUser,
  token: Type.String({ description: 'Vonage Conversation-API user JWT (RS256), valid for one hour' }),
  users: UserList,
});

export const TokenAnswer = Type.Object({ token: Type.String() });

export const ImageAnswer = Type.Object({ image_url: Type.String({ description: 'Absolute URL of the stored image' }) });

const Parameter = Type.Object({ name: Type.String(), reason: Type.String() });

export const Problem = Type.Object({
  type: Type.String(),
  title: Type.String(),
  detail: Type.String(),
  invalid_parameters: Type.Optional(Type.Array(Parameter)),
});

/** A user inside a conversation: the V-app user plus their membership state. */
export const ConversationUser = Type.Object({
  id: Type.String(),
  name: Type.String(),
  display_name: Type.String(),
  image_url: Type.String(),
  state: Type.String({ description: 'Always JOINED: Parley lists current members only' }),
});

export const ConversationSummary = Type.Object({
  id: Type.String({ description: 'The Vonage conversation id when created there, else CON-<chat id>' }),
  name: Type.String({ description: 'The other members’ display names, joined with ", "' }),
  state: Type.String({ description: 'Always ACTIVE' }),
  created_at: Type.String({ format: 'date-time' }),
  users: Type.Array(ConversationUser, { description: 'The other current members' }),
});

export const ConversationEvent = Type.Object({
  id: Type.Integer({ description: 'The message’s sequence number in its chat' }),
  from: Type.String({ description: 'The author’s V-app id' }),
  type: Type.Union([Type.Literal('message.text'), Type.Literal('message.image')]),
  content: Type.String({ description: 'The text, or the image’s absolute URL' }),
  timestamp: Type.String({ format: 'date-time' }),
});

export const Conversation = Type.Object({
  ...ConversationSummary.properties,
  joined_at: Type.String({ format: 'date-time' }),
  events: Type.Array(ConversationEvent, { description: 'The newest 200 messages, oldest first' }),
});

export const ConversationList = Type.Array(ConversationSummary);

export const ConversationParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 100 }) });

export const NewConversationBody = Type.Object({
  users: Type.Optional(
    Type.Array(Type.String({ maxLength: 100 }), { description: 'Required. The V-app ids of the other members (one: their personal chat, reused)' }),
  ),
});

export const SessionWithConversations = Type.Object({
  ...SessionAnswer.properties,
  conversations: ConversationList,
});
