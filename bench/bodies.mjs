// Realistic Allthings event bodies of an exact UTF-8 size, with German umlauts, an en dash and emoji.
// Deterministic (seeded), so every run hashes the same bytes.

export const SIZES = [
  { label: '256 B', bytes: 256 },
  { label: '1 KiB', bytes: 1024 },
  { label: '16 KiB', bytes: 16 * 1024 },
  { label: '256 KiB', bytes: 256 * 1024 },
  { label: '1 MiB', bytes: 1024 * 1024 },
];

const PHRASES = [
  'Heizung im Badezimmer fällt seit Montag aus',
  'Wasserhahn in der Küche tropft – bitte prüfen 🔧',
  'Schlüssel für den Fahrradkeller verloren 🚲',
  'Lärm aus der Wohnung über uns, nachts ab 23 Uhr',
  'Aufzug bleibt zwischen 2. und 3. Stock stehen ⚠️',
  'Müllabfuhr: Grünabfall wird nicht mehr abgeholt 🌿',
  'Danke für die schnelle Reparatur! 😊👍',
  'Rauchmelder piept im Flur, Batterie leer?',
  'Zoë Müller übernimmt die Übergabe am Freitag',
  'Türschließer an der Haustür ist zu stark eingestellt',
];
const NAMES = ['Jürgen Weiß', 'Zoë Größer', 'Ömer Çelik', 'Anaïs Dürr', 'Björn Strauß', 'Søren Hähnel'];

function rng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function uuid(rand) {
  const hex = () => Math.floor(rand() * 16).toString(16);
  const part = (n) => Array.from({ length: n }, hex).join('');
  return `${part(8)}-${part(4)}-4${part(3)}-a${part(3)}-${part(12)}`;
}

function comment(rand, i) {
  return {
    id: uuid(rand),
    author: { id: uuid(rand), name: NAMES[i % NAMES.length] },
    createdAt: new Date(Date.UTC(2025, 10, 24, 8, 0, 0) + i * 61_000).toISOString(),
    text: `${PHRASES[Math.floor(rand() * PHRASES.length)]}. ${PHRASES[Math.floor(rand() * PHRASES.length)]}.`,
  };
}

/** A JSON text of exactly `bytes` UTF-8 bytes: the provider's envelope with a ticket and its comments. */
export function eventBody(bytes) {
  const rand = rng(bytes);
  const event = {
    event: {
      id: uuid(rand),
      name: 'ticket.updated',
      urn: `urn:allthings:app:5d1c:ticket:${bytes}`,
      createdDate: '2025-11-24T15:59:58.120Z',
      data: bytes < 512
        ? { title: 'Heizung defekt – Zoë 😊', note: '' }
        : { title: 'Heizung defekt – Zoë 😊', status: 'in-progress', comments: [], note: '' },
    },
  };
  const size = () => Buffer.byteLength(JSON.stringify(event));
  const comments = event.event.data.comments ?? [];
  for (let i = 0; size() < bytes - 220; i++) comments.push(comment(rand, i));
  while (size() > bytes - 8 && comments.length > 0) comments.pop();
  while (size() > bytes && comments.length > 0) comments.pop();
  // Pad the note to the exact size: ASCII with an umlaut (2 bytes) in about every seventh character.
  const missing = bytes - size();
  const umlauts = Math.floor(missing / 16);
  const note = 'Bitte Rückmeldung an die Verwaltung. '.replace('ü', 'u');
  let pad = '';
  for (let i = 0, ascii = missing - 2 * umlauts, wide = umlauts; ascii + wide > 0; i++) {
    if (wide > 0 && (i % 7 === 3 || ascii === 0)) {
      pad += 'ä';
      wide--;
    } else {
      pad += note[i % note.length];
      ascii--;
    }
  }
  event.event.data.note = pad;
  const text = JSON.stringify(event);
  if (Buffer.byteLength(text) !== bytes) throw new Error(`body generator missed ${bytes} B`);
  return text;
}
