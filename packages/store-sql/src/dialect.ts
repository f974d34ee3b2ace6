/**
 * The SQL dialects the store speaks. One set of queries serves all three; where they differ
 * (column types, upserts, and MySQL's lack of `RETURNING`), the code says which does what.
 */
export type Dialect = "sqlite" | "postgres" | "mysql";
