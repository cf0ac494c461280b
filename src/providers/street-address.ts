/**
 * Some PSPs (Adyen, MultiSafepay) want the street and the house number apart. "Keizersgracht
 * 126" (number last, as in most of Europe) and "126 Main St" (number first) split; anything
 * else stays whole in `street`, with the number empty.
 */
export function splitStreet(streetAndNumber: string): { street: string; houseNumber: string } {
  const text = streetAndNumber.trim();
  const last = /^(.*\S)\s+(\d+[\w/-]*(?:\s?[a-zA-Z]{1,3})?)$/.exec(text);
  if (last) return { street: last[1], houseNumber: last[2] };
  const first = /^(\d+[\w/-]*)\s+(.*\S)$/.exec(text);
  if (first) return { street: first[2], houseNumber: first[1] };
  return { street: text, houseNumber: '' };
}

/** "Jan van Dijk" → Jan / van Dijk; a single word says too little (undefined). */
export function splitName(name: string | undefined): { first: string; last: string } | undefined {
  const words = name?.trim().split(/\s+/) ?? [];
  if (words.length < 2) return undefined;
  return { first: words[0], last: words.slice(1).join(' ') };
}
