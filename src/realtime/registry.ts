/** Sets of local connections by key (user id, room name): what one node can deliver to. */
export class Registry<K, V> {
  private readonly sets = new Map<K, Set<V>>();

  add(key: K, value: V): void {
    let set = this.sets.get(key);
    if (!set) this.sets.set(key, (set = new Set()));
    set.add(value);
  }

  remove(key: K, value: V): void {
    const set = this.sets.get(key);
    if (!set) return;
    set.delete(value);
    if (set.size === 0) this.sets.delete(key);
  }

  get(key: K): ReadonlySet<V> {
    return this.sets.get(key) ?? EMPTY;
  }

  keys(): K[] {
    return [...this.sets.keys()];
  }

  count(key: K): number {
    return this.sets.get(key)?.size ?? 0;
  }
}

const EMPTY: ReadonlySet<never> = new Set();
