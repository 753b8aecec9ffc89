// `in ()` is a syntax error in SQL: an empty list of ids becomes the one id no row has, so the
// condition matches nothing, as an empty list means.
const NO_ID = '00000000-0000-0000-0000-000000000000';

export const idList = (ids: readonly string[]): string[] => (ids.length ? [...ids] : [NO_ID]);
