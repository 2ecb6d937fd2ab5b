/**
 * Whether a string names an IANA time zone, by asking the runtime's ICU once per name.
 */
const zoneCache = new Map<string, boolean>()

/** An IANA zone name such as `Europe/Paris` or `UTC`, as Node's ICU knows them; offsets are refused. */
export const isTimeZone = (zone: string): boolean => {
  const known = zoneCache.get(zone)
  if (known !== undefined) return known
  let valid = /^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/.test(zone)
  if (valid) {
    try {
      new Intl.DateTimeFormat("en-US", { timeZone: zone })
    } catch {
      valid = false
    }
  }
  zoneCache.set(zone, valid)
  return valid
}
