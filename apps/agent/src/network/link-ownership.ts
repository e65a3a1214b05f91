/*
 * Every datalink Apiary makes is named `apiary...` (the NAT etherstub and gateway, VM VNICs,
 * network etherstubs, environment overlays: see host/layout.ts). The prefix is reserved: the
 * links API refuses to create a link with it and to delete one that has it, so "is this
 * Apiary's" is read from the name alone and cannot drift from a list.
 */
export const APIARY_LINK_PREFIX = 'apiary';

export function isApiaryLink(name: string): boolean {
  return name.startsWith(APIARY_LINK_PREFIX);
}
