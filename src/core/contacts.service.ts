/** Contacts: a user's own address book of other users, with a custom name and a favourite flag. */
import { randomUUID } from 'node:crypto';
import { invalid, notFound } from '../errors.js';
import type { Clock } from '../ports/clock.js';
import type { Profile } from '../ports/events.js';
import type { ContactRecord, Store } from '../ports/store.js';
import { loadProfiles, profileOf } from './profiles.js';

export const CONTACT_NAME_MAX = 64;

export interface ContactView {
  contact: ContactRecord;
  user: Profile;
}

export type ContactsService = ReturnType<typeof createContactsService>;

export function createContactsService(deps: { store: Store; clock: Clock }) {
  const { store, clock } = deps;
  return {
    /** Adds `userId` to the owner's contacts, or updates the existing contact's name and favourite. */
    async addContact(owner: Profile, input: { userId: number; name?: string | undefined; isFavorite?: boolean | undefined }): Promise<ContactView> {
      if (input.userId === owner.id) throw invalid([{ name: 'user.id', reason: 'you cannot add yourself as a contact' }]);
      const name = input.name?.trim() || null;
      if (name && [...name].length > CONTACT_NAME_MAX) throw invalid([{ name: 'name', reason: `must be at most ${CONTACT_NAME_MAX} characters` }]);
      const user = await store.users.findById(input.userId);
      if (!user) throw notFound('User');
      const now = clock.now();
      const contact = await store.contacts.upsert({
        id: randomUUID(),
        ownerId: owner.id,
        userId: user.id,
        name,
        isFavorite: input.isFavorite ?? false,
        isBlocked: false,
        createdAt: now,
        updatedAt: now,
      });
      const [profiles, blocked] = await Promise.all([loadProfiles(store, [user.id], { withPhotos: true }), store.userBlocks.blockedAmong(owner.id, [user.id])]);
      return { contact: { ...contact, isBlocked: blocked.length > 0 }, user: profiles.get(user.id) ?? profileOf(user) };
    },

    async listContacts(owner: Profile): Promise<ContactView[]> {
      const contacts = await store.contacts.listByOwner(owner.id);
      const ids = contacts.map((c) => c.userId);
      const [profiles, blocked] = await Promise.all([loadProfiles(store, ids, { withPhotos: true }), store.userBlocks.blockedAmong(owner.id, ids)]);
      const isBlocked = new Set(blocked);
      return contacts.flatMap((contact) => {
        const user = profiles.get(contact.userId);
        // ContactInfo `isBlocked` is the account-wide block of that user (PUT /users/me/blocks/<id>).
        return user ? [{ contact: { ...contact, isBlocked: isBlocked.has(contact.userId) }, user }] : [];
      });
    },

    /** Another user's contact is "not found", as if it did not exist. */
    async deleteContact(owner: Profile, contactId: string): Promise<void> {
      const contact = await store.contacts.findById(contactId);
      if (!contact || contact.ownerId !== owner.id) throw notFound('Contact');
      await store.contacts.delete(contact.id);
    },
  };
}
