/** Catalogues above this size are refused by EASE: the dense inverse would take too long in JavaScript. */
export const easeMaxItems = 5_000;
