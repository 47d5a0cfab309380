/** Preact hooks over the store and the location hash (the app's router). */
import { useEffect, useState } from 'preact/hooks';
import type { State, Store } from './store.js';

/** The store's state; re-renders on every update. */
export function useStore(store: Store): State {
  const [, setVersion] = useState(store.snapshot);
  useEffect(() => store.subscribe(() => setVersion(store.snapshot)), [store]);
  return store.state;
}

/** The route: `#/chats/<id>` → `['chats', '<id>']`. */
export function useRoute(): string[] {
  const read = () => location.hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
  const [route, setRoute] = useState(read);
  useEffect(() => {
    const onChange = () => setRoute(read());
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return route;
}

/** Goes to a route. */
export const go = (...parts: string[]) => {
  location.hash = `#/${parts.map(encodeURIComponent).join('/')}`;
};
