/** The room creator is the host, the one who joins is the guest. */
export type Role = 'host' | 'guest';

export function otherRole(role: Role): Role {
  return role === 'host' ? 'guest' : 'host';
}
