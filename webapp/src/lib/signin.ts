// Sign-in links: /signin#sso=TOKEN or /signin#magic=TOKEN (the token in
// the fragment, which no server sees).
import type { LinkKind } from './api'

/** The link in a location hash, or null when it is not one. */
export function parseSignInHash(hash: string): { kind: LinkKind; token: string } | null {
  const m = /^#(sso|magic)=([0-9a-f]{32,256})$/.exec(hash)
  return m ? { kind: m[1] as LinkKind, token: m[2] } : null
}
