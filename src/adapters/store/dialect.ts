/** The two SQL dialects the Kysely store speaks (migrations differ where they do). */
export type Dialect = 'sqlite' | 'postgres';
