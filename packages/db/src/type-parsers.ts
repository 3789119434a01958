const INT8 = 20;
const DATE = 1082;

/**
 * Counts and byte sizes stay far below 2^53, so int8 reads as a number; dates stay ISO strings (no
 * time-zone shift). PostgreSQL and the embedded database parse the same way so code never branches on
 * the backend.
 */
export const typeParsers = { [INT8]: (v: string) => Number(v), [DATE]: (v: string) => v };
