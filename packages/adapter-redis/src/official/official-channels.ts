// Channel names of the official Redis adapter and emitters (raw names, no encoding): broadcasts on
// `<key>#<nsp>#` and `<key>#<nsp>#<room>#`, requests on `<key>-request#<nsp>#`. They never
// collide with ours, whose namespace part is percent-encoded (`/` is `%2F`, channels.ts).

/** The broadcast channel of a namespace, or of one room in it. */
export function officialBroadcastChannel(key: string, nsp: string, room?: string): string {
  return room === undefined ? `${key}#${nsp}#` : `${key}#${nsp}#${room}#`;
}

/** The pattern that matches a namespace's broadcast channel and all its room channels. */
export function officialBroadcastPattern(key: string, nsp: string): string {
  return `${escapeGlob(key)}#${escapeGlob(nsp)}#*`;
}

/** The request channel of a namespace (socketsJoin/Leave, disconnectSockets, serverSideEmit). */
export function officialRequestChannel(key: string, nsp: string): string {
  return `${key}-request#${nsp}#`;
}

/** Escapes the glob characters of PSUBSCRIBE (`*`, `?`, `[`, `]`, `\`). */
export function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, (c) => `\\${c}`);
}
